import { List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { useEnumLabel } from '../../components/selects';
import { fromNow } from '../../lib/format';
import { useUserName } from '../../queries/users';

/** The customer list on a phone: one card per customer with its key fields, no sideways scroll. */
export function CustomerCards({ customers }: { customers: Schemas['CustomerOut'][] }) {
  const { t } = useTranslation();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  return (
    <List
      data-testid="customer-cards"
      dataSource={customers}
      locale={{ emptyText: t('timeline.empty') }}
      renderItem={(c) => (
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
            </Space>
            <Typography.Text type="secondary">
              {t('customer.fields.owner_id')}: {userName(c.owner_id)} · {t('summary.lastContact')}: {fromNow(c.last_contact_at)}
            </Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
}
