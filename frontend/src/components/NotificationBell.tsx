import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Schemas } from '../api/client';
import { notificationLink } from '../lib/links';
import { fromNow } from '../lib/format';
import { notificationText } from '../lib/notificationText';
import { useMarkRead, useNotifications, useUnreadCount } from '../queries/notifications';

export function NotificationBell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const count = useUnreadCount().data?.unread ?? 0;
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      placement="bottomRight"
      content={<Latest onDone={() => setOpen(false)} />}
      title={t('notification.title')}>
      <Badge count={count} size="small" data-testid="unread-count">
        <Button type="text" icon={<BellOutlined />} aria-label={t('notification.title')} />
      </Badge>
    </Popover>
  );
}

function Latest({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const unread = useNotifications(true, 5);
  const items = unread.data?.pages.flatMap((p) => p.items) ?? [];
  const open = useOpenNotification();
  return (
    <div style={{ width: 300, maxWidth: '80vw' }}>
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notification.empty')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(n) => (
            <List.Item
              style={{ cursor: 'pointer' }}
              onClick={() => {
                open(n);
                onDone();
              }}>
              <List.Item.Meta title={notificationText(t, n)} description={fromNow(n.created_at)} />
            </List.Item>
          )}
        />
      )}
      <Link to="/notifications" onClick={onDone}>
        {t('notification.viewAll')}
      </Link>
    </div>
  );
}

/** Mark a notification read and go to its record. */
export function useOpenNotification() {
  const navigate = useNavigate();
  const markRead = useMarkRead();
  return (n: Schemas['NotificationOut']) => {
    if (!n.read_at) markRead.mutate(n.id);
    const link = notificationLink(n);
    if (link) void navigate(link);
  };
}
