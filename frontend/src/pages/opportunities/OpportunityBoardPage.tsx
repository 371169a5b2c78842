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
import {
  useCreateOpportunity,
  useStageOpportunities,
  useStageTotals,
  useTransitionOpportunity,
  type BoardFilters,
} from '../../queries/opportunities';
import { useUserName } from '../../queries/users';
import { BudgetAndCloseFields, budgets, EditOpportunity, useOpportunityLabel } from './OpportunityForm';
import { CustomerPicker } from '../../components/selects';

type Opportunity = Schemas['OpportunityOut'];
type Stage = Schemas['OpportunityStage'];

// The weighted forecast: how likely an opportunity at each stage is to be won, in percent.
export const STAGE_WEIGHT: Record<Stage, number> = { intent: 20, quote: 50, contract: 80, won: 100, lost: 0 };

/** What moving a card to a stage means: nothing, refuse (not allowed from here), ask, or move. */
export function planMove(opportunity: Opportunity, to: Stage): 'none' | 'illegal' | 'reason' | 'order' | 'move' {
  if (opportunity.stage === to) return 'none';
  if (!opportunity.allowed_transitions.includes(to)) return 'illegal';
  if (to === 'lost') return 'reason';
  return to === 'won' ? 'order' : 'move';
}

/** A yuan amount ("12800.50") in fen, exact for sums (a BIGINT's worth: past 2^53). */
function fen(value: string | null | undefined): bigint {
  if (!value) return 0n;
  const [whole = '0', cents = ''] = value.split('.');
  return BigInt(whole) * 100n + BigInt(cents.padEnd(2, '0').slice(0, 2));
}
function yuan(f: bigint): string {
  const abs = f < 0n ? -f : f;
  return `${f < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
/** What a card adds to its column's amount: the upper budget, else the lower (as the server sums). */
const amount = (o: Opportunity) => fen(o.budget_max ?? o.budget_min);

type Sums = Record<Stage, { count: number; fen: bigint }>;

/** Each stage's count and amount in fen: the server's totals, with the cards on the way moved already. */
function stageSums(totals: readonly Schemas['StageTotalOut'][], cards: Iterable<Opportunity>, at: (o: Opportunity) => Stage): Sums {
  const sums = Object.fromEntries(opportunityStageValues.map((s) => [s, { count: 0, fen: 0n }])) as Sums;
  for (const total of totals) sums[total.stage] = { count: total.count, fen: fen(total.amount) };
  for (const o of cards) {
    const to = at(o);
    if (to === o.stage) continue;
    sums[o.stage].count -= 1;
    sums[o.stage].fen -= amount(o);
    sums[to].count += 1;
    sums[to].fen += amount(o);
  }
  return sums;
}

/** One query per stage: always the same five, in the same order (the rules of hooks). */
function useColumns(filters: BoardFilters) {
  return {
    intent: useStageOpportunities('intent', filters),
    quote: useStageOpportunities('quote', filters),
    contract: useStageOpportunities('contract', filters),
    won: useStageOpportunities('won', filters),
    lost: useStageOpportunities('lost', filters),
  } satisfies Record<Stage, unknown>;
}

/**
 * A board by stage. Each column loads its cards a page at a time; its count and amount, and the
 * weighted forecast, are the server's totals over every opportunity the filters select. Cards move by
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
  const filters: BoardFilters = { ...(owner && { owner }), ...(month && { close_month: month.format('YYYY-MM') }) };
  const columns = useColumns(filters);
  const totals = useStageTotals(filters);
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
      <QueryState query={totals}>
        {(stageTotals) => {
          // A card is in the column of its stage (the newest copy of it: during a refetch, one that
          // moved may be in two stages' pages), or of where it is moving to.
          const cards = new Map<number, Opportunity>();
          for (const stage of opportunityStageValues)
            for (const page of columns[stage].data?.pages ?? [])
              for (const x of page.items) if ((cards.get(x.id)?.version ?? 0) < x.version) cards.set(x.id, x);
          const at = (x: Opportunity) => moving[x.id] ?? x.stage;
          const sums = stageSums(stageTotals, cards.values(), at);
          const weighted = opportunityStageValues.reduce((sum, s) => sum + sums[s].fen * BigInt(STAGE_WEIGHT[s]), 0n);
          const forecast = (weighted + 50n) / 100n; // percent of fen → fen, half up
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
                  const column = columns[stage];
                  return {
                    key: stage,
                    title: enumLabel('opportunity_stage', stage),
                    items: [...cards.values()].filter((x) => at(x) === stage).sort((a, b) => b.id - a.id),
                    count: sums[stage].count,
                    extra: (
                      <Typography.Text type="secondary" data-testid={`total-${stage}`}>
                        {formatMoney(yuan(sums[stage].fen))}
                      </Typography.Text>
                    ),
                    loading: column.isPending,
                    footer: column.error ? (
                      <Typography.Text type="danger">
                        {problemMessage(t, column.error)}{' '}
                        <Button size="small" onClick={() => void column.refetch()}>
                          {t('common.retry')}
                        </Button>
                      </Typography.Text>
                    ) : (
                      column.hasNextPage && (
                        <Button
                          block
                          onClick={() => void column.fetchNextPage()}
                          loading={column.isFetchingNextPage}
                          data-testid={`more-${stage}`}>
                          {t('common.loadMore')}
                        </Button>
                      )
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
