import { UnorderedListOutlined } from '@ant-design/icons';
import { Button, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { KanbanBoard } from '../../components/KanbanBoard';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel } from '../../components/selects';
import { useTickets } from '../../queries/tickets';
import { useUserName } from '../../queries/users';
import { PRIORITY_COLORS, TicketSla } from './TicketTable';

// The board shows work in flight; closed and cancelled tickets are in the list.
const COLUMNS: Schemas['TicketStatus'][] = ['new', 'assigned', 'in_progress', 'waiting_customer', 'reopened', 'resolved'];

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
          <KanbanBoard
            data-testid="ticket-board"
            columnWidth={260}
            columns={COLUMNS.map((status) => ({
              key: status,
              title: enumLabel('status', status),
              items: page.items.filter((x) => x.status === status),
            }))}
            renderCard={(x) => (
              <>
                <Link to={`/tickets/${x.id}`}>{x.code}</Link>
                <div style={{ margin: '4px 0' }}>{x.title}</div>
                <Space wrap size={4}>
                  <Tag color={PRIORITY_COLORS[x.priority]}>{x.priority}</Tag>
                  <TicketSla ticket={x} fetchedAt={tickets.dataUpdatedAt} />
                </Space>
                <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
                  {enumLabel('ticket_type', x.type)} · {userName(x.assignee_id)}
                </Typography.Text>
              </>
            )}
          />
        )}
      </QueryState>
    </PageCard>
  );
}
