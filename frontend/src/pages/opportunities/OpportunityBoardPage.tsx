import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Dropdown, Form, Input, Modal, Segmented, Space, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, type Schemas } from '../../api/client';
import { opportunityStageValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { FormModal } from '../../components/FormModal';
import { KanbanBoard } from '../../components/KanbanBoard';
import { FilterBar, PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, UserSelect, useEnumLabel } from '../../components/selects';
import { formatMoney } from '../../lib/format';
import { fieldRules, type RequestField } from '../../lib/formRules';
import { problemMessage } from '../../lib/problems';
import { dateFromPicker, todayInZone } from '../../lib/time';
import { useCreateOpportunity, useOpportunities, useTransitionOpportunity } from '../../queries/opportunities';
import { useUserName } from '../../queries/users';
import { BudgetAndCloseFields, budgets, EditOpportunity, useOpportunityLabel } from './OpportunityForm';
import { CustomerPicker } from '../../components/selects';

type Opportunity = Schemas['OpportunityOut'];
type Stage = Schemas['OpportunityStage'];

// The weighted forecast: how likely an opportunity at each stage is to be won.
export const STAGE_WEIGHT: Record<Stage, number> = { intent: 0.2, quote: 0.5, contract: 0.8, won: 1, lost: 0 };

/** What moving a card to a stage means: nothing, refuse (not allowed from here), ask, or move. */
export function planMove(opportunity: Opportunity, to: Stage): 'none' | 'illegal' | 'reason' | 'order' | 'move' {
  if (opportunity.stage === to) return 'none';
  if (!opportunity.allowed_transitions.includes(to)) return 'illegal';
  if (to === 'lost') return 'reason';
  return to === 'won' ? 'order' : 'move';
}

/** An opportunity's amount in fen (the upper budget, else the lower), exact for sums. */
function fen(o: Opportunity): number {
  const value = o.budget_max ?? o.budget_min;
  if (!value) return 0;
  const [whole = '0', cents = ''] = value.split('.');
  return Number(whole) * 100 + Number(cents.padEnd(2, '0').slice(0, 2));
}
const yuan = (f: number) => `${Math.floor(f / 100)}.${String(Math.round(f % 100)).padStart(2, '0')}`;

/**
 * A board by stage with each column's count and amount and the weighted forecast. Cards move by
 * drag or, on a phone, by their stage menu; winning asks for the order, losing for the reason,
 * and a stage the card cannot reach says which ones it can.
 */
export default function OpportunityBoardPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const claims = useClaims();
  const [owner, setOwner] = useState<string | undefined>(claims.role === 'account_manager' ? 'me' : undefined);
  const [month, setMonth] = useState<Dayjs | null>(null);
  const opportunities = useOpportunities(owner ? { owner } : {});
  const transition = useTransitionOpportunity();
  // Where a card shows while its move is on the way; dropped again when the server has answered.
  const [moving, setMoving] = useState<Record<number, Stage>>({});
  const [losing, setLosing] = useState<Opportunity | null>(null);
  const [winning, setWinning] = useState<Opportunity | null>(null);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Opportunity | null>(null);
  const [reason, setReason] = useState('');
  const writable = claims.scopes.has('customers:write');
  const movable = (o: Opportunity) => writable && o.allowed_transitions.length > 0;
  const stageList = (stages: readonly Stage[]) => stages.map((s) => enumLabel('opportunity_stage', s)).join('、');

  const refuse = (o: Opportunity, to: Stage, allowed: readonly Stage[] = o.allowed_transitions) =>
    void message.error(
      allowed.length ? t('board.illegal', { to: enumLabel('opportunity_stage', to), allowed: stageList(allowed) }) : t('board.final'),
    );
  const move = (o: Opportunity, to: Stage, extra: Partial<Schemas['OpportunityTransitionIn']> = {}) => {
    setMoving((m) => ({ ...m, [o.id]: to }));
    transition.mutate(
      { id: o.id, body: { to, reason: null, ...extra } },
      {
        onError: (error) => {
          const allowed = error instanceof ApiError ? (error.problem as { allowed?: Stage[] } | null)?.allowed : undefined;
          if (allowed) refuse(o, to, allowed);
          else void message.error(problemMessage(t, error));
        },
        onSettled: () =>
          setMoving((m) => {
            const next = { ...m };
            delete next[o.id];
            return next;
          }),
      },
    );
  };
  const request = (o: Opportunity, to: Stage) => {
    const plan = planMove(o, to);
    if (plan === 'illegal') refuse(o, to);
    else if (plan === 'reason') {
      setReason('');
      setLosing(o);
    } else if (plan === 'order') setWinning(o);
    else if (plan === 'move') move(o, to);
  };

  return (
    <PageCard
      title={t('opportunity.board')}
      actions={
        writable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="board-add">
            {t('opportunity.add')}
          </Button>
        )
      }>
      <FilterBar active={(owner ? 1 : 0) + (month ? 1 : 0)}>
        {claims.role === 'account_manager' ? (
          <Segmented
            value={owner ?? 'all'}
            onChange={(v) => setOwner(v === 'me' ? 'me' : undefined)}
            options={[
              { value: 'me', label: t('board.mine') },
              { value: 'all', label: t('timeline.all') },
            ]}
          />
        ) : (
          <UserSelect
            placeholder={t('opportunity.fields.owner_id')}
            style={{ width: 160 }}
            roles={['account_manager', 'admin']}
            value={owner ? Number(owner) : undefined}
            onChange={(v?: number) => setOwner(v ? String(v) : undefined)}
          />
        )}
        <DatePicker picker="month" placeholder={t('board.closeMonth')} value={month} onChange={setMonth} data-testid="board-month" />
      </FilterBar>
      <QueryState query={opportunities}>
        {(page) => {
          const shown = page.items.filter((x) => !month || (x.expected_close_on ?? '').startsWith(month.format('YYYY-MM')));
          const forecast = shown.reduce((sum, x) => sum + fen(x) * STAGE_WEIGHT[moving[x.id] ?? x.stage], 0);
          return (
            <>
              <Typography.Paragraph data-testid="board-forecast">
                {t('board.forecast')}: <Typography.Text strong>{formatMoney(yuan(forecast))}</Typography.Text>
                <Typography.Text type="secondary">（{t('board.weights')}）</Typography.Text>
              </Typography.Paragraph>
              <KanbanBoard
                data-testid="opportunity-board"
                columnWidth={240}
                cardTestId="opportunity"
                columns={opportunityStageValues.map((stage) => {
                  const items = shown.filter((x) => (moving[x.id] ?? x.stage) === stage);
                  const total = items.reduce((sum, x) => sum + fen(x), 0);
                  return {
                    key: stage,
                    title: enumLabel('opportunity_stage', stage),
                    items,
                    extra: (
                      <Typography.Text type="secondary" data-testid={`total-${stage}`}>
                        {formatMoney(yuan(total))}
                      </Typography.Text>
                    ),
                  };
                })}
                canMove={movable}
                onMove={request}
                renderCard={(x) => (
                  <>
                    <Typography.Text strong>{x.title}</Typography.Text>
                    <div>
                      <Link to={`/customers/${x.customer_id}?tab=opportunities`}>{x.customer_name}</Link>
                    </div>
                    <Space wrap size={4} style={{ marginTop: 4 }}>
                      {(x.budget_min || x.budget_max) && (
                        <Tag>
                          {x.budget_min && x.budget_max && x.budget_min !== x.budget_max
                            ? `${formatMoney(x.budget_min)} – ${formatMoney(x.budget_max)}`
                            : formatMoney(x.budget_max ?? x.budget_min)}
                        </Tag>
                      )}
                      {x.stale && <Tag color="orange">{t('opportunity.stale')}</Tag>}
                    </Space>
                    <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
                      {userName(x.owner_id)}
                      {x.expected_close_on ? ` · ${x.expected_close_on}` : ''}
                    </Typography.Text>
                    {movable(x) && (
                      <Button
                        size="small"
                        style={{ marginTop: 6, marginRight: 6 }}
                        onClick={() => setEditing(x)}
                        data-testid={`edit-${x.id}`}>
                        {t('common.edit')}
                      </Button>
                    )}
                    {movable(x) && (
                      <Dropdown
                        trigger={['click']}
                        menu={{
                          items: x.allowed_transitions.map((to) => ({ key: to, label: enumLabel('opportunity_stage', to) })),
                          onClick: ({ key }) => request(x, key as Stage),
                        }}>
                        <Button size="small" style={{ marginTop: 6 }} data-testid={`stage-menu-${x.id}`}>
                          {t('board.moveTo')} <DownOutlined />
                        </Button>
                      </Dropdown>
                    )}
                  </>
                )}
              />
            </>
          );
        }}
      </QueryState>
      <Modal
        open={losing !== null}
        title={t('opportunity.lostReason')}
        onCancel={() => setLosing(null)}
        okButtonProps={{ disabled: !reason.trim() }}
        onOk={() => {
          if (losing) move(losing, 'lost', { reason: reason.trim() });
          setLosing(null);
        }}>
        <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} data-testid="lost-reason" />
      </Modal>
      {winning && (
        <WinModal
          opportunity={winning}
          onClose={() => setWinning(null)}
          onWin={(order) => {
            move(winning, 'won', { order });
            setWinning(null);
          }}
        />
      )}
      {adding && <NewOpportunity onClose={() => setAdding(false)} />}
      {editing && <EditOpportunity opportunity={editing} onClose={() => setEditing(null)} />}
    </PageCard>
  );
}

interface WinValues {
  product: string;
  amount: string;
  ordered_on: Dayjs;
  contract_no?: string;
}

/** Winning records the order (amount, date) in the same step. */
function WinModal({
  opportunity,
  onClose,
  onWin,
}: {
  opportunity: Opportunity;
  onClose: () => void;
  onWin: (order: Schemas['WinOrderIn']) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<WinValues>();
  const rules = (f: RequestField<'WinOrderIn'>) => fieldRules(t, 'WinOrderIn', f);
  return (
    <Modal open title={t('board.winTitle', { title: opportunity.title })} onCancel={onClose} onOk={() => form.submit()}>
      <Form
        form={form}
        layout="vertical"
        data-testid="win-form"
        initialValues={{
          product: opportunity.title,
          amount: opportunity.budget_max ?? opportunity.budget_min ?? '',
          ordered_on: todayInZone(),
        }}
        onFinish={(v) =>
          onWin({
            product: v.product.trim(),
            amount: v.amount.trim(),
            ordered_on: dateFromPicker(v.ordered_on) ?? '',
            contract_no: v.contract_no?.trim() || null,
          })
        }>
        <Form.Item name="product" label={t('order.fields.product')} rules={fieldRules(t, 'WinOrderIn', 'product', { notBlank: true })}>
          <Input />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t('order.fields.amount')}
          rules={[...rules('amount'), { pattern: /^\s*\d+(\.\d{1,2})?\s*$/, message: t('board.amountFormat') }]}>
          <Input inputMode="decimal" prefix="¥" data-testid="win-amount" />
        </Form.Item>
        <Form.Item name="ordered_on" label={t('order.fields.ordered_on')} rules={rules('ordered_on')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="contract_no" label={t('order.fields.contract_no')} rules={rules('contract_no')}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}

const FIELDS = ['customer_id', 'title', 'stage', 'budget_min', 'budget_max', 'expected_close_on'] as const;
interface NewValues {
  customer_id: number;
  title: string;
  stage: 'intent' | 'quote' | 'contract';
  budget_min?: string;
  budget_max?: string;
  expected_close_on?: Dayjs;
}

function NewOpportunity({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateOpportunity();
  const label = useOpportunityLabel();
  const rules = (f: RequestField<'OpportunityCreate'>) => fieldRules(t, 'OpportunityCreate', f);
  return (
    <FormModal<NewValues>
      title={t('opportunity.add')}
      fields={FIELDS}
      label={label}
      onClose={onClose}
      initialValues={{ stage: 'intent' }}
      onSubmit={(v) =>
        create.mutateAsync({
          customer_id: v.customer_id,
          title: v.title.trim(),
          stage: v.stage,
          ...budgets(v),
          expected_close_on: dateFromPicker(v.expected_close_on),
        })
      }>
      <Form.Item name="customer_id" label={label('customer_id')} rules={rules('customer_id')}>
        <CustomerPicker />
      </Form.Item>
      <Form.Item name="title" label={label('title')} rules={rules('title')}>
        <Input />
      </Form.Item>
      <Form.Item name="stage" label={label('stage')} rules={rules('stage')}>
        <EnumSelect name="opportunity_stage" values={['intent', 'quote', 'contract']} allowClear={false} />
      </Form.Item>
      <BudgetAndCloseFields />
    </FormModal>
  );
}
