import { List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { CallLink } from '../../components/CallLink';
import { useEnumLabel } from '../../components/selects';
import { fromNow } from '../../lib/format';
import { useUserName } from '../../queries/users';

type Customer = Schemas['CustomerOut'];

/** "N 天后将被收回公海" beside a customer the public pool takes back soon (nothing otherwise). */
export function PoolWarningTag({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const days = customer.pool_days_left;
  if (days == null) return null;
  return (
    <Tag color="red" data-testid="pool-warning-tag">
      {days > 0 ? t('pool.warning', { n: days }) : t('pool.warningToday')}
    </Tag>
  );
}

/** The customer list on a phone: one card per customer with its key fields and a button to
 *  call its primary contact, no sideways scroll. */
export function CustomerCards({ customers }: { customers: Customer[] }) {
  const { t } = useTranslation();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  return (
    <List
      data-testid="customer-cards"
      dataSource={customers}
      locale={{ emptyText: t('timeline.empty') }}
      renderItem={(c) => {
        const contact = c.primary_contact;
        const phone = contact?.mobile ?? contact?.phone;
        return (
          <List.Item key={c.id}>
            <Space orientation="vertical" size={2} style={{ minWidth: 0, width: '100%' }}>
              <Link to={`/customers/${c.id}`}>
                <Typography.Text strong>{c.name}</Typography.Text>
              </Link>
              <Space wrap size={4}>
                <Typography.Text type="secondary">{c.code}</Typography.Text>
                <Tag color="blue">{enumLabel('stage', c.stage)}</Tag>
                {c.grade && <Tag color="gold">{c.grade}</Tag>}
                {c.owner_id == null && <Tag color="orange">{t('pool.nav')}</Tag>}
                <PoolWarningTag customer={c} />
              </Space>
              {contact && (
                <Space wrap size={8}>
                  <Typography.Text>{contact.name}</Typography.Text>
                  {phone && <CallLink phone={phone} testId="call-customer" />}
                </Space>
              )}
              <Typography.Text type="secondary">
                {t('customer.fields.owner_id')}: {userName(c.owner_id)} · {t('summary.lastContact')}: {fromNow(c.last_contact_at)}
              </Typography.Text>
            </Space>
          </List.Item>
        );
      }}
    />
  );
}
