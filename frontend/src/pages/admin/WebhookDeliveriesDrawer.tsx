import { RedoOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Flex, Grid, List, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { QueryState } from '../../components/QueryState';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { deliveryError, eventLabel } from '../../lib/webhooks';
import { useDeliveries, useRedeliver } from '../../queries/webhooks';

type Webhook = Schemas['WebhookOut'];
type Delivery = Schemas['WebhookDeliveryOut'];
type Shown = 'pending' | 'retrying' | 'delivered' | 'failed';

const MONO = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' };
const COLORS: Record<Shown, string> = { pending: 'blue', retrying: 'orange', delivered: 'green', failed: 'red' };

/** A pending delivery that was tried already is waiting for a retry. */
export function shownState(d: Pick<Delivery, 'state' | 'attempts'>): Shown {
  return d.state === 'pending' && d.attempts > 0 ? 'retrying' : d.state;
}

export function DeliveryState({ delivery }: { delivery: Pick<Delivery, 'state' | 'attempts'> }) {
  const { t } = useTranslation();
  const state = shownState(delivery);
  return (
    <Tag color={COLORS[state]} style={{ marginInlineEnd: 0 }} data-testid="delivery-state">
      {t(`webhooks.deliveries.states.${state}`)}
    </Tag>
  );
}

/** The receiver's last status code, or why there was no answer (the job's own text on hover). */
export function DeliveryResponse({ delivery }: { delivery: Pick<Delivery, 'last_status_code' | 'last_error' | 'attempts'> }) {
  const { t } = useTranslation();
  if (delivery.attempts === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  if (delivery.last_status_code != null) {
    const ok = delivery.last_status_code >= 200 && delivery.last_status_code < 300;
    return (
      <Typography.Text type={ok ? 'success' : 'danger'} style={MONO} data-testid="delivery-code">
        {delivery.last_status_code}
      </Typography.Text>
    );
  }
  return (
    <span title={delivery.last_error ?? undefined}>
      <Typography.Text type="danger">{deliveryError(t, delivery.last_error) || t('webhooks.deliveries.noResponse')}</Typography.Text>
    </span>
  );
}

/** A subscription's delivery log, newest first, a page at a time; each one can be sent again. */
export function WebhookDeliveriesDrawer({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md ?? true;
  const deliveries = useDeliveries(webhook.id);
  const redeliver = useRedeliver();
  const colon = t('webhooks.colon');

  const again = (d: Delivery) => (
    <Button
      size="small"
      icon={<RedoOutlined />}
      loading={redeliver.isPending && redeliver.variables === d.id}
      data-testid={`redeliver-${d.id}`}
      onClick={() =>
        redeliver.mutateAsync(d.id).then(
          () => void message.success(t('webhooks.deliveries.redelivered')),
          (error: unknown) => void message.error(problemMessage(t, error)),
        )
      }>
      {t('webhooks.deliveries.redeliver')}
    </Button>
  );
  const eventId = (d: Delivery) => (
    <Tooltip title={d.event_id}>
      <span style={{ ...MONO, fontSize: 12 }}>{d.event_id.slice(0, 8)}…</span>
    </Tooltip>
  );
  const times = (d: Delivery) => (
    <Space orientation="vertical" size={0}>
      <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.created_at)}</span>
      {d.last_attempt_at && (
        <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
          {t('webhooks.deliveries.lastAttemptAt', { time: formatDateTime(d.last_attempt_at) })}
        </Typography.Text>
      )}
    </Space>
  );
  const nextAttempt = (d: Delivery) => (d.state === 'pending' ? formatDateTime(d.next_attempt_at) : '—');

  return (
    <Drawer
      open
      onClose={onClose}
      size={wide ? 1000 : '100%'}
      title={
        <Space orientation="vertical" size={0} style={{ minWidth: 0 }}>
          <span>{t('webhooks.deliveries.title')}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal', wordBreak: 'break-all' }}>
            {webhook.url}
          </Typography.Text>
        </Space>
      }
      destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('webhooks.deliveries.subtitle')}</Typography.Paragraph>
      <QueryState query={deliveries}>
        {(data) => {
          const rows = data.pages.flatMap((p) => p.items);
          return (
            <>
              {wide ? (
                <Table<Delivery>
                  rowKey="id"
                  size="small"
                  dataSource={rows}
                  pagination={false}
                  scroll={{ x: 'max-content' }}
                  locale={{ emptyText: t('webhooks.deliveries.empty') }}
                  data-testid="delivery-table"
                  onRow={(d) => ({ 'data-delivery': d.id, 'data-state': d.state }) as React.HTMLAttributes<HTMLElement>}
                  columns={[
                    { key: 'event', title: t('webhooks.deliveries.eventId'), render: (_, d) => eventId(d) },
                    { key: 'type', title: t('webhooks.deliveries.eventType'), render: (_, d) => eventLabel(t, d.event_type) },
                    { key: 'state', title: t('webhooks.deliveries.state'), render: (_, d) => <DeliveryState delivery={d} /> },
                    {
                      key: 'attempts',
                      title: t('webhooks.deliveries.attempts'),
                      align: 'right',
                      render: (_, d) => t('webhooks.deliveries.attemptsN', { n: d.attempts }),
                    },
                    { key: 'response', title: t('webhooks.deliveries.response'), render: (_, d) => <DeliveryResponse delivery={d} /> },
                    { key: 'at', title: t('webhooks.deliveries.at'), render: (_, d) => times(d) },
                    { key: 'next', title: t('webhooks.deliveries.nextAttempt'), render: (_, d) => nextAttempt(d) },
                    { key: 'actions', title: t('common.actions'), render: (_, d) => again(d) },
                  ]}
                />
              ) : (
                <List
                  data-testid="delivery-cards"
                  dataSource={rows}
                  locale={{ emptyText: t('webhooks.deliveries.empty') }}
                  renderItem={(d) => (
                    <List.Item key={d.id} data-delivery={d.id} data-state={d.state}>
                      <Space orientation="vertical" size={4} style={{ minWidth: 0, width: '100%' }}>
                        <Flex justify="space-between" align="center" gap={8}>
                          <Typography.Text strong>{eventLabel(t, d.event_type)}</Typography.Text>
                          <DeliveryState delivery={d} />
                        </Flex>
                        <Typography.Text type="secondary">
                          {t('webhooks.deliveries.eventId')}
                          {colon}
                          {eventId(d)}
                        </Typography.Text>
                        <Typography.Text type="secondary">
                          {t('webhooks.deliveries.response')}
                          {colon}
                          <DeliveryResponse delivery={d} /> · {t('webhooks.deliveries.attempts')}
                          {colon}
                          {t('webhooks.deliveries.attemptsN', { n: d.attempts })}
                        </Typography.Text>
                        <Typography.Text type="secondary">
                          {t('webhooks.deliveries.createdAt', { time: formatDateTime(d.created_at) })}
                        </Typography.Text>
                        {d.state === 'pending' && (
                          <Typography.Text type="secondary">
                            {t('webhooks.deliveries.nextAttempt')}
                            {colon}
                            {nextAttempt(d)}
                          </Typography.Text>
                        )}
                        <div>{again(d)}</div>
                      </Space>
                    </List.Item>
                  )}
                />
              )}
              {deliveries.hasNextPage && (
                <Button style={{ marginTop: 12 }} loading={deliveries.isFetchingNextPage} onClick={() => void deliveries.fetchNextPage()}>
                  {t('common.loadMore')}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
    </Drawer>
  );
}
