import { Button, Empty, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { useDueFollowUps } from '../../queries/followUps';

/** "我的待跟进": open next actions and cadence reminders due today or overdue, oldest first. */
export default function DueFollowUpsPage() {
  const { t } = useTranslation();
  const due = useDueFollowUps('me');
  return (
    <PageCard title={t('due.title')}>
      <QueryState query={due}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (!items.length) return <Empty description={t('due.empty')} />;
          return (
            <>
              <List
                data-testid="due-list"
                dataSource={items}
                renderItem={(item) => (
                  <List.Item key={`${item.kind}-${item.follow_up_id ?? item.customer_id}`} data-testid="due-item">
                    <Space orientation="vertical" size={2} style={{ width: '100%' }}>
                      <Space wrap>
                        <Link to={`/customers/${item.customer_id}?tab=follow-ups`}>{item.customer_name}</Link>
                        <Tag color={item.kind === 'next_action' ? 'blue' : 'purple'}>{t(`due.kinds.${item.kind}`)}</Tag>
                        {item.overdue_days > 0 ? (
                          <Tag color="red">{t('due.overdue', { n: item.overdue_days })}</Tag>
                        ) : (
                          <Tag color="orange">{t('due.today')}</Tag>
                        )}
                      </Space>
                      <Typography.Text type="secondary">
                        {t('due.dueOn')}: {item.due_on}
                        {item.next_action ? ` · ${item.next_action}` : ''}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
              {due.hasNextPage && (
                <Button onClick={() => void due.fetchNextPage()} loading={due.isFetchingNextPage}>
                  {t('common.loadMore')}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
    </PageCard>
  );
}
