import { DatePicker, Form, Input } from 'antd';
import type { Rule } from 'antd/es/form';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { FormModal } from '../../components/FormModal';
import { UserSelect } from '../../components/selects';
import { fieldRules } from '../../lib/formRules';
import { dateFromPicker, dateToPicker } from '../../lib/time';
import { useUpdateOpportunity } from '../../queries/opportunities';

type Opportunity = Schemas['OpportunityOut'];

/** Yuan with at most two decimals, as the server takes them. */
const AMOUNT = /^\d{1,13}(\.\d{1,2})?$/;

export function useOpportunityLabel() {
  const { t } = useTranslation();
  return (f: string) => t(`opportunity.fields.${f}` as 'opportunity.fields.title', { defaultValue: f });
}

/** The budget range and the expected close date, checked before the round trip: amounts in yuan
 *  (two decimals at most) and a maximum not below the minimum, as the server checks them. */
export function BudgetAndCloseFields() {
  const { t } = useTranslation();
  const label = useOpportunityLabel();
  const amount: Rule = { pattern: AMOUNT, message: t('opportunity.budgetFormat') };
  const atLeastMin: Rule = ({ getFieldValue }) => ({
    validator: (_, value?: string) => {
      const min = (getFieldValue('budget_min') as string | undefined)?.trim();
      const max = value?.trim();
      if (!min || !max || !AMOUNT.test(min) || !AMOUNT.test(max) || Number(max) >= Number(min)) return Promise.resolve();
      return Promise.reject(new Error(t('opportunity.budgetOrder')));
    },
  });
  return (
    <>
      <Form.Item name="budget_min" label={label('budget_min')} rules={[amount]}>
        <Input inputMode="decimal" prefix="¥" data-testid="budget-min" />
      </Form.Item>
      <Form.Item name="budget_max" label={label('budget_max')} rules={[amount, atLeastMin]} dependencies={['budget_min']}>
        <Input inputMode="decimal" prefix="¥" data-testid="budget-max" />
      </Form.Item>
      <Form.Item name="expected_close_on" label={label('expected_close_on')}>
        <DatePicker style={{ width: '100%' }} />
      </Form.Item>
    </>
  );
}

/** The range as the API takes it: blanks are none. */
export function budgets(v: { budget_min?: string; budget_max?: string }) {
  return { budget_min: v.budget_min?.trim() || null, budget_max: v.budget_max?.trim() || null };
}

const EDIT_FIELDS = ['title', 'budget_min', 'budget_max', 'expected_close_on', 'owner_id'] as const;
interface EditValues {
  title: string;
  budget_min?: string;
  budget_max?: string;
  expected_close_on?: Dayjs | null;
  owner_id?: number;
}

/** Edit an open opportunity: its title, budget, expected close and (admins) its owner. The stage
 *  moves through the board's transitions, not here. */
export function EditOpportunity({ opportunity, onClose }: { opportunity: Opportunity; onClose: () => void }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const label = useOpportunityLabel();
  const update = useUpdateOpportunity();
  const admin = claims.role === 'admin';
  return (
    <FormModal<EditValues>
      title={t('opportunity.edit')}
      fields={EDIT_FIELDS}
      label={label}
      onClose={onClose}
      initialValues={{
        title: opportunity.title,
        budget_min: opportunity.budget_min ?? undefined,
        budget_max: opportunity.budget_max ?? undefined,
        expected_close_on: dateToPicker(opportunity.expected_close_on),
        owner_id: opportunity.owner_id,
      }}
      onSubmit={(v) =>
        update.mutateAsync({
          id: opportunity.id,
          version: opportunity.version,
          body: {
            title: v.title.trim(),
            ...budgets(v),
            expected_close_on: dateFromPicker(v.expected_close_on),
            ...(admin && v.owner_id !== opportunity.owner_id ? { owner_id: v.owner_id } : {}),
          },
        })
      }>
      <Form.Item name="title" label={label('title')} rules={fieldRules(t, 'OpportunityCreate', 'title', { notBlank: true })}>
        <Input data-testid="opportunity-title" />
      </Form.Item>
      <BudgetAndCloseFields />
      {admin && (
        <Form.Item name="owner_id" label={label('owner_id')}>
          <UserSelect roles={['account_manager', 'admin']} style={{ width: '100%' }} />
        </Form.Item>
      )}
    </FormModal>
  );
}
