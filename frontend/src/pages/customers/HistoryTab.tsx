import {
  AuditOutlined,
  CheckSquareOutlined,
  CustomerServiceOutlined,
  FundOutlined,
  MessageOutlined,
  ShoppingOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Button, Empty, Segmented, Space, Timeline, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel, useIndustryLabel, type EnumName } from '../../components/selects';
import { formatMoney, formatPhone, fromNow } from '../../lib/format';
import { canSeeSales } from '../../lib/permissions';
import { formatDateTime } from '../../lib/time';
import { useContacts } from '../../queries/contacts';
import { useCustomFields } from '../../queries/customFields';
import { useCustomerHistory, type HistoryKind } from '../../queries/customers';
import { useDepartmentName } from '../../queries/departments';
import { useCustomerOpportunities } from '../../queries/opportunities';
import { useCustomerOrders } from '../../queries/orders';
import { useTags } from '../../queries/tags';
import { useUserName } from '../../queries/users';

type Event = Schemas['AuditEventOut'];

// Values that are enum members, per kind of record where the same field name means different
// enums (an opportunity's stage is not a customer's).
const ENUMS: Record<string, EnumName> = {
  status: 'status',
  stage: 'stage',
  kind: 'kind',
  type: 'ticket_type',
  channel: 'channel',
  source: 'source',
  urgency: 'urgency',
  gender: 'gender',
  activity_status: 'activity_status',
  responsible_party: 'responsible_party',
  method: 'method',
  ticket_type: 'ticket_type',
  visibility: 'visibility',
  role: 'role',
  calendar: 'calendar',
};
// The dictionary prefix of each such value's labels.
const ENTITY_ENUMS: Record<string, Record<string, string>> = {
  opportunity: { stage: 'enums.opportunity_stage' },
  order: { status: 'enums.order_status' },
  change_request: { status: 'changeRequest.statuses' },
};
const USERS = new Set(['owner_id', 'assignee_id', 'supervisor_id', 'released_by', 'requested_by', 'verified_by', 'actor_id']);
const MONEY = new Set(['amount', 'budget_min', 'budget_max', 'cumulative_amount', 'monetary']);
const PHONES = new Set(['mobile', 'phone']);
// Fields that only repeat what the page already says (the customer it is on, its own code).
const HIDDEN = new Set(['customer_id']);
const LABELS: Record<string, string> = {
  customer: 'customer.fields',
  contact: 'contact.fields',
  ticket: 'ticket.fields',
  follow_up: 'followUp.fields',
  opportunity: 'opportunity.fields',
  order: 'order.fields',
  task: 'tasks.fields',
  change_request: 'customer.fields', // a request changes one customer field
};
const KINDS: HistoryKind[] = ['customer', 'contact', 'follow_up', 'order', 'opportunity', 'ticket', 'task', 'change_request'];
const ICONS: Record<string, ReactNode> = {
  customer: <UserOutlined />,
  contact: <UserOutlined />,
  follow_up: <MessageOutlined />,
  order: <ShoppingOutlined />,
  opportunity: <FundOutlined />,
  ticket: <CustomerServiceOutlined />,
  task: <CheckSquareOutlined />,
  change_request: <AuditOutlined />,
};
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * 动态: one timeline of everything that happened to the customer (its changes, contacts,
 * follow-ups, orders, opportunities, tickets, tasks, pool releases and claims), newest first,
 * filterable by kind, written for people: labels and enum values in the reader's language,
 * referenced records by name, times in the configured zone and relative.
 */
export function HistoryTab({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const sales = canSeeSales(claims);
  const [kind, setKind] = useState<HistoryKind | 'all'>('all');
  const history = useCustomerHistory(customerId, kind === 'all' ? undefined : kind);
  const describe = useDescribe(customerId, sales);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ overflowX: 'auto', maxWidth: '100%' }} data-scroll-x>
        <Segmented
          data-testid="history-kind"
          value={kind}
          onChange={(v) => setKind(v as HistoryKind | 'all')}
          options={[
            { value: 'all', label: t('timeline.all') },
            ...KINDS.filter((k) => sales || (k !== 'order' && k !== 'opportunity')).map((k) => ({
              value: k,
              label: t(`customer.history.entities.${k}`),
            })),
          ]}
        />
      </div>
      <QueryState query={history}>
        {(data) => {
          const events = data.pages.flatMap((p) => p.items);
          if (!events.length) return <Empty description={t('timeline.empty')} />;
          return (
            <>
              <Timeline
                data-testid="history"
                items={events.map((e) => ({
                  key: e.id,
                  dot: ICONS[e.entity_type],
                  children: describe(e),
                }))}
              />
              {history.hasNextPage && (
                <Button loading={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
                  {t('common.loadMore')}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
    </Space>
  );
}

function useDescribe(customerId: number, sales: boolean) {
  const { t, i18n } = useTranslation();
  const userName = useUserName();
  const enumLabel = useEnumLabel();
  const industryLabel = useIndustryLabel();
  const departmentName = useDepartmentName();
  const contacts = useContacts(customerId).data ?? [];
  const opportunities = useCustomerOpportunities(customerId, sales).data?.items ?? [];
  const orders = useCustomerOrders(customerId, sales).data?.items ?? [];
  const tags = useTags().data ?? [];
  const customFields = useCustomFields().data ?? [];
  const ordersTab = `/customers/${customerId}?tab=orders`;

  const fieldLabel = (entity: string, field: string): string => {
    const custom = customFields.find((f) => f.key === field);
    if (custom) return i18n.language === 'en' ? custom.label_en : custom.label_zh;
    const own = LABELS[entity] ? t(`${LABELS[entity]}.${field}` as 'customer.fields.name', { defaultValue: '' }) : '';
    return own || t(`timeline.fields.${field}` as 'timeline.fields.note', { defaultValue: '' }) || t('timeline.otherField');
  };

  const value = (entity: string, field: string, v: unknown): ReactNode => {
    if (v === null || v === undefined || v === '') return t('timeline.empty_value');
    if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
    if (Array.isArray(v)) {
      if (field === 'tag_ids' || field === 'tags') return v.map((id) => tags.find((x) => x.id === id)?.name ?? `#${String(id)}`).join('、');
      return v.map((x) => String(value(entity, field, x))).join('、');
    }
    if (typeof v === 'object') {
      return Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${fieldLabel(entity, k)}：${String(value(entity, k, x))}`)
        .join('；');
    }
    const entityEnum = ENTITY_ENUMS[entity]?.[field];
    if (entityEnum && typeof v === 'string') return t(`${entityEnum}.${v}` as 'enums.stage.lost', { defaultValue: v });
    const enumName = ENUMS[field];
    if (enumName && typeof v === 'string') return enumLabel(enumName, v);
    if (field === 'release_reason' && typeof v === 'string') return t(`pool.reasons.${v}` as 'pool.reasons.manual', { defaultValue: v });
    if (field === 'value_level' && typeof v === 'string') return t(`value.levels.${v}` as 'value.levels.high', { defaultValue: v });
    if (USERS.has(field) && typeof v === 'number') return userName(v);
    if (field === 'department_id' && typeof v === 'number') return departmentName(v);
    if (field === 'industry' && typeof v === 'string') return industryLabel(v);
    if (field === 'contact_id' && typeof v === 'number') return contacts.find((c) => c.id === v)?.name ?? t('timeline.deleted');
    if (field === 'opportunity_id' && typeof v === 'number') {
      const o = opportunities.find((x) => x.id === v);
      return o ? <Link to={`/customers/${customerId}?tab=opportunities`}>{o.title}</Link> : t('timeline.aRecord');
    }
    if (field === 'order_id' && typeof v === 'number') {
      const o = orders.find((x) => x.id === v);
      return o ? <Link to={ordersTab}>{o.order_no}</Link> : t('timeline.aRecord');
    }
    if (MONEY.has(field)) return formatMoney(v as string);
    if (PHONES.has(field) && typeof v === 'string') return formatPhone(v);
    if (typeof v === 'string' && ISO_TIME.test(v)) return formatDateTime(v);
    return String(v);
  };

  /** The record an event is about, by its name where the page knows it. */
  const subject = (e: Event): ReactNode => {
    const kind = t(`customer.history.entities.${e.entity_type}` as 'customer.history.entities.customer', {
      defaultValue: t('timeline.aRecord'),
    });
    const created = (field: string) => {
      const change = e.changes[field];
      return Array.isArray(change) ? change[1] : undefined;
    };
    switch (e.entity_type) {
      case 'customer':
        return kind;
      case 'contact':
        return `${kind}「${contacts.find((c) => c.id === e.entity_id)?.name ?? String(created('name') ?? '')}」`;
      case 'ticket':
        return (
          <Link to={`/tickets/${e.entity_id}`}>
            {kind}
            {created('code') ? ` ${String(created('code'))}` : ''}
          </Link>
        );
      case 'opportunity':
        return `${kind}「${opportunities.find((o) => o.id === e.entity_id)?.title ?? String(created('title') ?? '')}」`;
      case 'order': {
        // An order has no page of its own: its link opens the customer's orders tab.
        const number = orders.find((o) => o.id === e.entity_id)?.order_no ?? created('order_no');
        const name = `${kind}${number ? ` ${String(number)}` : ''}`;
        return sales && number ? <Link to={ordersTab}>{name}</Link> : name;
      }
      case 'task':
        return `${kind}${created('title') ? `「${String(created('title'))}」` : ''}`;
      default:
        return kind;
    }
  };

  return (e: Event): ReactNode => {
    const actor = e.actor_id == null ? t('customer.history.system') : userName(e.actor_id);
    const action = t(`customer.history.actions.${e.action}` as 'customer.history.actions.create', { defaultValue: t('timeline.changed') });
    const lines = Object.entries(e.changes).filter(([field]) => !HIDDEN.has(field) && !(e.entity_type !== 'customer' && field === 'code'));
    return (
      <div data-testid="history-event">
        <Space wrap size={4}>
          <Typography.Text strong>{actor}</Typography.Text>
          <Typography.Text>{action}</Typography.Text>
          <Typography.Text>{subject(e)}</Typography.Text>
          <Typography.Text type="secondary" title={formatDateTime(e.at)}>
            · {fromNow(e.at)}
          </Typography.Text>
        </Space>
        {lines.map(([field, change]) => {
          const pair = Array.isArray(change) && change.length === 2;
          const [before, after] = pair ? change : [undefined, change];
          const isNew = pair && (before === null || before === undefined || before === '');
          return (
            <div key={field} style={{ overflowWrap: 'anywhere' }}>
              <Typography.Text type="secondary">{fieldLabel(e.entity_type, field)}：</Typography.Text>
              {isNew ? (
                value(e.entity_type, field, after)
              ) : (
                <>
                  {value(e.entity_type, field, before)} → {value(e.entity_type, field, after)}
                </>
              )}
            </div>
          );
        })}
      </div>
    );
  };
}
