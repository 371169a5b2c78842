import { Grid, List, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { CallLink } from '../../components/CallLink';
import { SlaBadge } from '../../components/SlaBadge';
import { useEnumLabel } from '../../components/selects';
import { headlineClock } from '../../lib/sla';
import { formatDateTime } from '../../lib/time';
import { useCustomer } from '../../queries/customers';
import { useUserName } from '../../queries/users';

type Ticket = Schemas['TicketOut'];

export const PRIORITY_COLORS: Record<Schemas['Priority'], string> = { P1: 'red', P2: 'orange', P3: 'blue', P4: 'default' };
const CLOSED: Schemas['TicketStatus'][] = ['closed', 'cancelled', 'resolved'];

/** The SLA clock a ticket list shows, live; none once the ticket is done. */
export function TicketSla({ ticket, fetchedAt }: { ticket: Ticket; fetchedAt: number }) {
  if (CLOSED.includes(ticket.status)) return null;
  const [target, clock] = headlineClock(ticket.sla);
  return <SlaBadge clock={clock} calendar={ticket.sla.calendar} fetchedAt={fetchedAt} target={target} />;
}

/** TicketOut carries only the customer's id; its name comes from the (cached) customer read. */
function CustomerLink({ id }: { id: number }) {
  const customer = useCustomer(id);
  return <Link to={`/customers/${id}`}>{customer.data?.name ?? `#${id}`}</Link>;
}

/** A card's button to call the customer's primary contact, from the same customer read. */
function CallCustomer({ id }: { id: number }) {
  const contact = useCustomer(id).data?.primary_contact;
  const phone = contact?.mobile ?? contact?.phone;
  return phone ? <CallLink phone={phone} testId="call-customer" /> : null;
}

export function TicketTable({ tickets, fetchedAt, showCustomer = true }: { tickets: Ticket[]; fetchedAt: number; showCustomer?: boolean }) {
  const { t } = useTranslation();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const wide = Grid.useBreakpoint().md ?? true;
  if (!wide) {
    // A phone: one card per ticket with what an agent scans for, no sideways table.
    return (
      <List
        data-testid="ticket-cards"
        dataSource={tickets}
        locale={{ emptyText: t('ticket.empty') }}
        renderItem={(x) => (
          <List.Item key={x.id}>
            <Space orientation="vertical" size={2} style={{ minWidth: 0, width: '100%' }}>
              <Space wrap size={4}>
                <Link to={`/tickets/${x.id}`}>{x.code}</Link>
                <Tag data-testid="ticket-status">{enumLabel('status', x.status)}</Tag>
                <Tag color={PRIORITY_COLORS[x.priority]}>{x.priority}</Tag>
              </Space>
              <Typography.Text strong>{x.title}</Typography.Text>
              <Space wrap size={4}>
                <TicketSla ticket={x} fetchedAt={fetchedAt} />
                {showCustomer && <CustomerLink id={x.customer_id} />}
                <CallCustomer id={x.customer_id} />
              </Space>
              <Typography.Text type="secondary">
                {enumLabel('ticket_type', x.type)} · {userName(x.assignee_id)} · {formatDateTime(x.created_at)}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    );
  }
  return (
    <Table<Ticket>
      rowKey="id"
      size="middle"
      dataSource={tickets}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('ticket.empty') }}
      columns={[
        { key: 'code', title: t('ticket.fields.code'), render: (_, x) => <Link to={`/tickets/${x.id}`}>{x.code}</Link>, width: 140 },
        { key: 'title', title: t('ticket.fields.title'), dataIndex: 'title' },
        {
          key: 'status',
          title: t('ticket.fields.status'),
          render: (_, x) => <Tag data-testid="ticket-status">{enumLabel('status', x.status)}</Tag>,
        },
        {
          key: 'priority',
          title: t('ticket.fields.priority'),
          render: (_, x) => <Tag color={PRIORITY_COLORS[x.priority]}>{x.priority}</Tag>,
        },
        { key: 'sla', title: t('ticket.fields.sla'), render: (_, x) => <TicketSla ticket={x} fetchedAt={fetchedAt} /> },
        { key: 'type', title: t('ticket.fields.type'), render: (_, x) => enumLabel('ticket_type', x.type) },
        ...(showCustomer
          ? [
              {
                key: 'customer',
                title: t('ticket.fields.customer_id'),
                render: (_: unknown, x: Ticket) => <CustomerLink id={x.customer_id} />,
              },
            ]
          : []),
        { key: 'assignee', title: t('ticket.fields.assignee_id'), render: (_, x) => userName(x.assignee_id) },
        { key: 'created', title: t('ticket.fields.created_at'), render: (_, x) => formatDateTime(x.created_at) },
      ]}
    />
  );
}
