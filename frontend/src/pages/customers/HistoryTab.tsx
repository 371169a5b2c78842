import { Button, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel, type EnumName } from '../../components/selects';
import { formatDateTime } from '../../lib/time';
import { useCustomerHistory } from '../../queries/customers';
import { useDepartmentName } from '../../queries/departments';
import { useUserName } from '../../queries/users';

type Event = Schemas['AuditEventOut'];

// Audited fields whose values are enum members or user ids, shown by their labels.
const ENUMS: Record<string, EnumName> = {
  status: 'status', stage: 'stage', kind: 'kind', type: 'ticket_type', channel: 'channel', source: 'source',
  urgency: 'urgency', gender: 'gender', activity_status: 'activity_status', responsible_party: 'responsible_party',
  method: 'method',
};
const USERS = new Set(['owner_id', 'assignee_id']);
const DEPARTMENTS = new Set(['department_id']);
const LABELS: Record<string, string> = {
  customer: 'customer.fields', contact: 'contact.fields', ticket: 'ticket.fields', follow_up: 'followUp.fields',
};

/** The audit trail: who changed what, each field before → after, in the user's language. */
export function HistoryTab({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const history = useCustomerHistory(customerId);
  const userName = useUserName();
  const enumLabel = useEnumLabel();
  const departmentName = useDepartmentName();

  const value = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '∅';
    if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
    if (Array.isArray(v)) return v.map((x) => value(field, x)).join('、');
    if (ENUMS[field] && typeof v === 'string') return enumLabel(ENUMS[field], v);
    if (USERS.has(field) && typeof v === 'number') return userName(v);
    if (DEPARTMENTS.has(field) && typeof v === 'number') return departmentName(v);
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  const fieldLabel = (entity: string, field: string) =>
    (LABELS[entity] ? t(`${LABELS[entity]}.${field}` as 'customer.fields.name', { defaultValue: field }) : field);

  return (
    <QueryState query={history}>
      {(data) => (
        <>
          <Table<Event> rowKey="id" size="small" pagination={false} scroll={{ x: 'max-content' }} data-testid="history"
            dataSource={data.pages.flatMap((p) => p.items)}
            columns={[
              { key: 'at', title: t('customer.fields.updated_at'), render: (_, e) => formatDateTime(e.at), width: 150 },
              { key: 'actor', title: t('customer.history.actor'), render: (_, e) => (e.actor_id == null ? t('customer.history.system') : userName(e.actor_id)) },
              { key: 'entity', title: t('customer.history.entity'),
                render: (_, e) => `${t(`customer.history.entities.${e.entity_type}` as 'customer.history.entities.customer', { defaultValue: e.entity_type })} #${e.entity_id}` },
              { key: 'action', title: t('customer.history.action'),
                render: (_, e) => t(`customer.history.actions.${e.action}` as 'customer.history.actions.create', { defaultValue: e.action }) },
              { key: 'changes', title: t('customer.history.change'), render: (_, e) => (
                <div>
                  {Object.entries(e.changes).map(([field, change]) => {
                    const [before, after] = Array.isArray(change) && change.length === 2 ? change : [undefined, change];
                    return (
                      <div key={field}>
                        <Typography.Text type="secondary">{fieldLabel(e.entity_type, field)}</Typography.Text>{' '}
                        {value(field, before)} → {value(field, after)}
                      </div>
                    );
                  })}
                </div>
              ) },
            ]} />
          {history.hasNextPage && (
            <Button style={{ marginTop: 12 }} loading={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
              {t('common.loadMore')}
            </Button>
          )}
        </>
      )}
    </QueryState>
  );
}
