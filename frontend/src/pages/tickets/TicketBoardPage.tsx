import { UnorderedListOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Empty, Flex, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel } from '../../components/selects';
import { useTickets } from '../../queries/tickets';
import { useUserName } from '../../queries/users';
import { PRIORITY_COLORS, TicketSla } from './TicketTable';

// The board shows work in flight; closed and cancelled tickets are in the list.
const COLUMNS: Schemas['domain__ticket__Status'][] = ['new', 'assigned', 'in_progress', 'waiting_customer', 'reopened', 'resolved'];

export default function TicketBoardPage() {
  const { t } = useTranslation();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const tickets = useTickets({ status: COLUMNS, limit: 200 });
  return (
    <PageCard
      title={t('nav.ticketBoard')}
      actions={
        <Link to="/tickets">
          <Button icon={<UnorderedListOutlined />}>{t('ticket.list')}</Button>
        </Link>
      }>
      <QueryState query={tickets}>
        {(page) => (
          <Flex gap={12} style={{ overflowX: 'auto', paddingBottom: 8 }} data-testid="ticket-board">
            {COLUMNS.map((status) => {
              const column = page.items.filter((x) => x.status === status);
              return (
                <div key={status} style={{ flex: '0 0 260px', background: '#fafafa', borderRadius: 8, padding: 8 }}>
                  <Space style={{ marginBottom: 8 }}>
                    <Typography.Text strong>{enumLabel('status', status)}</Typography.Text>
                    <Badge count={column.length} showZero color="#999" />
                  </Space>
                  {column.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />}
                  {column.map((x) => (
                    <Card key={x.id} size="small" style={{ marginBottom: 8 }}>
                      <Link to={`/tickets/${x.id}`}>{x.code}</Link>
                      <div style={{ margin: '4px 0' }}>{x.title}</div>
                      <Space wrap size={4}>
                        <Tag color={PRIORITY_COLORS[x.priority]}>{x.priority}</Tag>
                        <TicketSla ticket={x} fetchedAt={tickets.dataUpdatedAt} />
                      </Space>
                      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
                        {enumLabel('ticket_type', x.type)} · {userName(x.assignee_id)}
                      </Typography.Text>
                    </Card>
                  ))}
                </div>
              );
            })}
          </Flex>
        )}
      </QueryState>
    </PageCard>
  );
}
