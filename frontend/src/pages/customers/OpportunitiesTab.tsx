import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { FormModal } from '../../components/FormModal';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, useEnumLabel } from '../../components/selects';
import { formatMoney } from '../../lib/format';
import { fieldRules } from '../../lib/formRules';
import { canEditCustomer } from '../../lib/permissions';
import { useNewParam } from '../../lib/useNewParam';
import { dateFromPicker } from '../../lib/time';
import { useCreateOpportunity, useCustomerOpportunities } from '../../queries/opportunities';
import { useUserName } from '../../queries/users';
import { BudgetAndCloseFields, budgets, EditOpportunity, useOpportunityLabel } from '../opportunities/OpportunityForm';

type Opportunity = Schemas['OpportunityOut'];
const FIELDS = ['title', 'stage', 'budget_min', 'budget_max', 'expected_close_on'] as const;
const CREATE_STAGES = ['intent', 'quote', 'contract'] as const;
const OPEN_STAGES: readonly string[] = CREATE_STAGES;
interface Values {
  title: string;
  stage: Schemas['OpportunityCreate']['stage'];
  budget_min?: string;
  budget_max?: string;
  expected_close_on?: Dayjs | null;
}

/** The customer's opportunities; amounts stay the decimal strings the API sends. */
export function OpportunitiesTab({ customer }: { customer: Schemas['CustomerOut'] }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const opportunities = useCustomerOpportunities(customer.id);
  const create = useCreateOpportunity();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Opportunity | null>(null);
  const label = useOpportunityLabel();
  const editable = canEditCustomer(claims, customer);
  useNewParam(() => setAdding(true), editable); // the summary strip's quick action
  return (
    <>
      {editable && (
        <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setAdding(true)} data-testid="add-opportunity">
          {t('opportunity.add')}
        </Button>
      )}
      <QueryState query={opportunities}>
        {(page) => (
          <Table<Opportunity>
            rowKey="id"
            size="small"
            dataSource={page.items}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('opportunity.empty') }}
            data-testid="opportunities"
            columns={[
              {
                key: 'title',
                title: label('title'),
                render: (_, o) => (
                  <>
                    {o.title} {o.stale && <Tag color="orange">{t('opportunity.stale')}</Tag>}
                  </>
                ),
              },
              { key: 'stage', title: label('stage'), render: (_, o) => <Tag color="blue">{enumLabel('opportunity_stage', o.stage)}</Tag> },
              {
                key: 'budget',
                title: `${label('budget_min')} – ${label('budget_max')}`,
                render: (_, o) => `${formatMoney(o.budget_min)} – ${formatMoney(o.budget_max)}`,
              },
              { key: 'expected_close_on', title: label('expected_close_on'), render: (_, o) => o.expected_close_on ?? '—' },
              { key: 'owner', title: label('owner_id'), render: (_, o) => userName(o.owner_id) },
              { key: 'lost_reason', title: label('lost_reason'), render: (_, o) => o.lost_reason ?? '—' },
              {
                key: 'actions',
                title: '',
                render: (_, o) =>
                  editable &&
                  OPEN_STAGES.includes(o.stage) && (
                    <Button size="small" onClick={() => setEditing(o)} data-testid={`edit-opportunity-${o.id}`}>
                      {t('common.edit')}
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {adding && (
        <FormModal<Values>
          title={t('opportunity.add')}
          fields={FIELDS}
          label={label}
          onClose={() => setAdding(false)}
          initialValues={{ stage: 'intent' }}
          onSubmit={(v) =>
            create.mutateAsync({
              customer_id: customer.id,
              title: v.title,
              stage: v.stage,
              ...budgets(v),
              expected_close_on: dateFromPicker(v.expected_close_on),
            })
          }>
          <Form.Item name="title" label={label('title')} rules={fieldRules(t, 'OpportunityCreate', 'title')}>
            <Input />
          </Form.Item>
          <Form.Item name="stage" label={label('stage')} rules={fieldRules(t, 'OpportunityCreate', 'stage')}>
            <EnumSelect name="opportunity_stage" values={CREATE_STAGES} allowClear={false} />
          </Form.Item>
          <BudgetAndCloseFields />
        </FormModal>
      )}
      {editing && <EditOpportunity opportunity={editing} onClose={() => setEditing(null)} />}
    </>
  );
}
