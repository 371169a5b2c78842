import {
  DeleteOutlined,
  EditOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  PlusOutlined,
  SendOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { App, Button, Flex, Grid, List, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { fromNow } from '../../lib/format';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { EVENT_GROUPS, eventLabel } from '../../lib/webhooks';
import { useDeleteWebhook, useLastDelivery, useTestWebhook, useUpdateWebhook, useWebhooks } from '../../queries/webhooks';
import { DeliveryResponse, DeliveryState, WebhookDeliveriesDrawer } from './WebhookDeliveriesDrawer';
import { WebhookFormModal, type ShownWebhookSecret } from './WebhookFormModal';
import { WebhookSecretModal } from './WebhookSecretModal';

type Webhook = Schemas['WebhookOut'];
type Shown = 'ok' | 'failing' | 'paused';
const COLORS: Record<Shown, string> = { ok: 'green', failing: 'red', paused: 'default' };
const MONO = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' };

const EVENT_ORDER: readonly string[] = EVENT_GROUPS.flatMap((g) => g.events);
const rank = (e: string) => (EVENT_ORDER.includes(e) ? EVENT_ORDER.indexOf(e) : EVENT_ORDER.length); // as in the form

const shownStatus = (w: Webhook): Shown => (w.active ? w.status : 'paused');

/** The newest delivery's outcome and when it was sent (or raised, while it waits). */
function LastDelivery({ webhook }: { webhook: Webhook }) {
  const { t } = useTranslation();
  const last = useLastDelivery(webhook.id).data;
  if (last === undefined) return null;
  if (last === null) return <Typography.Text type="secondary">{t('webhooks.noDelivery')}</Typography.Text>;
  const at = last.last_attempt_at ?? last.created_at;
  return (
    <Flex wrap align="center" gap="0 8px" data-testid="last-delivery">
      {last.attempts > 0 ? <DeliveryResponse delivery={last} /> : <DeliveryState delivery={last} />}
      <Tooltip title={formatDateTime(at)}>
        <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
          {fromNow(at)}
        </Typography.Text>
      </Tooltip>
    </Flex>
  );
}

/** Webhook subscriptions (admins): subscribe a URL to events, see each one's deliveries, send a
 *  test, pause, edit and delete; the signing secret is shown once. */
export default function WebhooksPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md ?? true; // a phone gets cards, not a sideways table
  const hooks = useWebhooks();
  const test = useTestWebhook();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [shown, setShown] = useState<ShownWebhookSecret | null>(null);
  const [log, setLog] = useState<Webhook | null>(null);
  const colon = t('webhooks.colon');
  const failed = (error: unknown) => void message.error(problemMessage(t, error));

  const status = (w: Webhook) => {
    const s = shownStatus(w);
    const tag = (
      <Tag color={COLORS[s]} style={{ marginInlineEnd: 0 }} data-testid="webhook-status">
        {t(`webhooks.statuses.${s}`)}
      </Tag>
    );
    return s === 'failing' ? <Tooltip title={t('webhooks.failingHelp')}>{tag}</Tooltip> : tag;
  };
  const events = (w: Webhook) => (
    <Flex wrap gap={4}>
      {[...w.event_types]
        .sort((a, b) => rank(a) - rank(b))
        .map((e) => (
          <Tag key={e} style={{ marginInlineEnd: 0 }}>
            {eventLabel(t, e)}
          </Tag>
        ))}
    </Flex>
  );
  const url = (w: Webhook) => <span style={{ ...MONO, wordBreak: 'break-all' }}>{w.url}</span>;
  const sendTest = (w: Webhook) =>
    test.mutateAsync(w.id).then(() => {
      void message.success(t('webhooks.testQueued'));
      setLog(w); // the log shows the test's outcome once the job has sent it
    }, failed);
  const setActive = (w: Webhook, active: boolean) =>
    update
      .mutateAsync({ id: w.id, body: { active } })
      .then(() => void message.success(t(active ? 'webhooks.resumed' : 'webhooks.paused')), failed);

  const actions = (w: Webhook) => (
    <Flex wrap gap={4}>
      <Button
        size="small"
        icon={<SendOutlined />}
        loading={test.isPending && test.variables === w.id}
        onClick={() => void sendTest(w)}
        data-testid="webhook-test">
        {t('webhooks.test')}
      </Button>
      <Button size="small" icon={<UnorderedListOutlined />} onClick={() => setLog(w)} data-testid="webhook-deliveries">
        {t('webhooks.deliveriesButton')}
      </Button>
      <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(w)} data-testid="webhook-edit">
        {t('common.edit')}
      </Button>
      <Button
        size="small"
        icon={w.active ? <PauseCircleOutlined /> : <PlayCircleOutlined />}
        onClick={() => void setActive(w, !w.active)}
        data-testid="webhook-toggle">
        {t(w.active ? 'webhooks.pause' : 'webhooks.resume')}
      </Button>
      <Popconfirm
        title={t('webhooks.deleteConfirm')}
        description={t('webhooks.deleteWarning')}
        okText={t('common.delete')}
        okButtonProps={{ danger: true }}
        cancelText={t('common.cancel')}
        styles={{ root: { maxWidth: 320 } }}
        onConfirm={() => remove.mutateAsync(w.id).then(() => void message.success(t('webhooks.deleted')), failed)}>
        <Button size="small" danger icon={<DeleteOutlined />} data-testid="webhook-delete">
          {t('common.delete')}
        </Button>
      </Popconfirm>
    </Flex>
  );
  const greyed = (w: Webhook) => (w.active ? undefined : { opacity: 0.6 });

  return (
    <PageCard
      title={t('webhooks.title')}
      actions={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="new-webhook">
          {t('webhooks.new')}
        </Button>
      }>
      <Typography.Paragraph type="secondary">{t('webhooks.explain')}</Typography.Paragraph>
      <QueryState query={hooks}>
        {(rows) =>
          wide ? (
            <Table<Webhook>
              rowKey="id"
              size="middle"
              dataSource={rows}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: t('webhooks.empty') }}
              onRow={(w) => ({ style: greyed(w), 'data-status': shownStatus(w) }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { key: 'url', title: t('webhooks.url'), width: 280, render: (_, w) => url(w) },
                { key: 'events', title: t('webhooks.eventTypes'), width: 300, render: (_, w) => events(w) },
                { key: 'status', title: t('webhooks.status'), width: 90, render: (_, w) => status(w) },
                { key: 'last', title: t('webhooks.lastDelivery'), width: 130, render: (_, w) => <LastDelivery webhook={w} /> },
                { key: 'actions', title: t('common.actions'), width: 260, render: (_, w) => actions(w) },
              ]}
            />
          ) : (
            <List
              data-testid="webhook-cards"
              dataSource={rows}
              locale={{ emptyText: t('webhooks.empty') }}
              renderItem={(w) => (
                <List.Item key={w.id} style={greyed(w)} data-status={shownStatus(w)}>
                  <Space orientation="vertical" size={6} style={{ minWidth: 0, width: '100%' }}>
                    <Flex justify="space-between" align="start" gap={8}>
                      {url(w)}
                      {status(w)}
                    </Flex>
                    {events(w)}
                    <Flex wrap align="center" gap="0 4px">
                      <Typography.Text type="secondary">
                        {t('webhooks.lastDelivery')}
                        {colon}
                      </Typography.Text>
                      <LastDelivery webhook={w} />
                    </Flex>
                    {actions(w)}
                  </Space>
                </List.Item>
              )}
            />
          )
        }
      </QueryState>
      {editing && <WebhookFormModal editing={editing === 'new' ? null : editing} onCreated={setShown} onClose={() => setEditing(null)} />}
      {shown && <WebhookSecretModal shown={shown} onClose={() => setShown(null)} />}
      {log && <WebhookDeliveriesDrawer webhook={log} onClose={() => setLog(null)} />}
    </PageCard>
  );
}
