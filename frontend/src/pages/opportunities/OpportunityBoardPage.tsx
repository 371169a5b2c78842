import { Badge, Card, Empty, Flex, Input, Modal, Space, Tag, Typography, App } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { opportunityStageValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel } from '../../components/selects';
import { problemMessage } from '../../lib/problems';
import { useOpportunities, useTransitionOpportunity } from '../../queries/opportunities';
import { useUserName } from '../../queries/users';

type Opportunity = Schemas['OpportunityOut'];
type Stage = Schemas['OpportunityStage'];

/** What dropping a card on a column means: nothing, ask for the lost reason, or move. */
export function planMove(opportunity: Opportunity, to: Stage): 'none' | 'reason' | 'move' {
  if (opportunity.stage === to) return 'none';
  return to === 'lost' ? 'reason' : 'move';
}

/** A board by stage; drag a card to move it. The server decides (409 → message, the card snaps back). */
export default function OpportunityBoardPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const claims = useClaims();
  const opportunities = useOpportunities();
  const transition = useTransitionOpportunity();
  const [dragged, setDragged] = useState<Opportunity | null>(null);
  // Where a card shows while its move is on the way; dropped again when the server has answered.
  const [moving, setMoving] = useState<Record<number, Stage>>({});
  const [losing, setLosing] = useState<Opportunity | null>(null);
  const [reason, setReason] = useState('');
  const writable = claims.scopes.has('customers:write');

  const move = (o: Opportunity, to: Stage, lostReason?: string) => {
    setMoving((m) => ({ ...m, [o.id]: to }));
    transition.mutate({ id: o.id, body: { to, reason: lostReason ?? null } }, {
      onError: (error) => void message.error(problemMessage(t, error)),
      onSettled: () => setMoving((m) => { const next = { ...m }; delete next[o.id]; return next; }),
    });
  };
  const drop = (to: Stage) => {
    const o = dragged;
    setDragged(null);
    if (!o) return;
    const plan = planMove(o, to);
    if (plan === 'reason') { setReason(''); setLosing(o); } else if (plan === 'move') move(o, to);
  };

  return (
    <PageCard title={t('opportunity.board')}>
      <QueryState query={opportunities}>
        {(page) => (
          <Flex gap={12} style={{ overflowX: 'auto', paddingBottom: 8 }} data-testid="opportunity-board">
            {opportunityStageValues.map((stage) => {
              const column = page.items.filter((x) => (moving[x.id] ?? x.stage) === stage);
              return (
                <div key={stage} data-testid={`column-${stage}`}
                  onDragOver={(e) => e.preventDefault()} onDrop={(e) => { e.preventDefault(); drop(stage); }}
                  style={{ flex: '0 0 240px', background: '#fafafa', borderRadius: 8, padding: 8, minHeight: 200 }}>
                  <Space style={{ marginBottom: 8 }}>
                    <Typography.Text strong>{enumLabel('opportunity_stage', stage)}</Typography.Text>
                    <Badge count={column.length} showZero color="#999" />
                  </Space>
                  {column.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />}
                  {column.map((x) => (
                    <Card key={x.id} size="small" style={{ marginBottom: 8, cursor: writable ? 'grab' : undefined }}
                      data-testid={`opportunity-${x.id}`} draggable={writable && x.allowed_transitions.length > 0}
                      onDragStart={() => setDragged(x)} onDragEnd={() => setDragged(null)}>
                      <Typography.Text strong>{x.title}</Typography.Text>
                      <div><Link to={`/customers/${x.customer_id}?tab=opportunities`}>{x.customer_name}</Link></div>
                      <Space wrap size={4} style={{ marginTop: 4 }}>
                        {(x.budget_min || x.budget_max) && <Tag>¥{x.budget_min ?? '—'} – {x.budget_max ?? '—'}</Tag>}
                        {x.stale && <Tag color="orange">{t('opportunity.stale')}</Tag>}
                      </Space>
                      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
                        {userName(x.owner_id)}{x.expected_close_on ? ` · ${x.expected_close_on}` : ''}
                      </Typography.Text>
                    </Card>
                  ))}
                </div>
              );
            })}
          </Flex>
        )}
      </QueryState>
      <Modal open={losing !== null} title={t('opportunity.lostReason')} onCancel={() => setLosing(null)}
        okButtonProps={{ disabled: !reason.trim() }}
        onOk={() => { if (losing) move(losing, 'lost', reason.trim()); setLosing(null); }}>
        <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} data-testid="lost-reason" />
      </Modal>
    </PageCard>
  );
}
