import { PlusOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { QueryState } from '../../components/QueryState';
import { canCreateTicket } from '../../lib/permissions';
import { useTickets } from '../../queries/tickets';
import { TicketTable } from '../tickets/TicketTable';

export function CustomerTicketsTab({ customer }: { customer: Schemas['CustomerOut'] }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const tickets = useTickets({ customer_id: customer.id, limit: 100 });
  return (
    <>
      {canCreateTicket(claims) && (
        <Link to={`/tickets/new?customer_id=${customer.id}`}>
          <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} data-testid="new-ticket">
            {t('ticket.new')}
          </Button>
        </Link>
      )}
      <QueryState query={tickets}>
        {(page) => <TicketTable tickets={page.items} fetchedAt={tickets.dataUpdatedAt} showCustomer={false} />}
      </QueryState>
    </>
  );
}
