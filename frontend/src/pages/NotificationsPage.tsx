import { Badge, Button, List, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageCard } from '../components/PageCard';
import { QueryState } from '../components/QueryState';
import { useOpenNotification } from '../components/NotificationBell';
import { fromNow } from '../lib/format';
import { notificationText } from '../lib/notificationText';
import { formatDateTime } from '../lib/time';
import { useMarkAllRead, useMarkRead, useNotifications } from '../queries/notifications';

export default function NotificationsPage() {
  const { t } = useTranslation();
  const [unread, setUnread] = useState(false);
  const notifications = useNotifications(unread);
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const open = useOpenNotification();
  return (
    <PageCard
      title={t('notification.title')}
      actions={
        <>
          <Space>
            <Switch checked={unread} onChange={setUnread} />
            {t('notification.unreadOnly')}
          </Space>
          <Button onClick={() => markAll.mutate()} loading={markAll.isPending}>
            {t('notification.markAllRead')}
          </Button>
        </>
      }>
      <QueryState query={notifications}>
        {(data) => (
          <>
            <List
              data-testid="inbox"
              dataSource={data.pages.flatMap((p) => p.items)}
              locale={{ emptyText: t('notification.empty') }}
              renderItem={(n) => (
                <List.Item
                  actions={
                    n.read_at
                      ? []
                      : [
                          <Button key="read" size="small" type="link" onClick={() => markRead.mutate(n.id)}>
                            {t('notification.markRead')}
                          </Button>,
                        ]
                  }>
                  <List.Item.Meta
                    title={
                      <Space>
                        <Badge status={n.read_at ? 'default' : 'processing'} />
                        <Typography.Link onClick={() => open(n)}>{notificationText(t, n)}</Typography.Link>
                      </Space>
                    }
                    description={
                      <>
                        {/* people's own words (a comment, a reason): no kind renders them */}
                        {n.body && <div>{n.body}</div>}
                        <time dateTime={n.created_at} title={formatDateTime(n.created_at)}>
                          {fromNow(n.created_at)}
                        </time>
                      </>
                    }
                  />
                </List.Item>
              )}
            />
            {notifications.hasNextPage && (
              <Button onClick={() => void notifications.fetchNextPage()} loading={notifications.isFetchingNextPage}>
                {t('common.loadMore')}
              </Button>
            )}
          </>
        )}
      </QueryState>
    </PageCard>
  );
}
