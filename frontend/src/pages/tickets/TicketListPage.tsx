import { AppstoreOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Flex, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useClaims } from '../../auth/useSession';
import { ExportButton } from '../../components/ExportButton';
import { ResultCount } from '../../components/filters/ResultCount';
import { TicketFilters } from '../../components/filters/TicketFilters';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { ViewsMenu } from '../../components/ViewsMenu';
import { PAGE_SIZES, TICKET_FILTERS, ticketQuery } from '../../lib/listQueries';
import { canCreateTicket } from '../../lib/permissions';
import { cursorStack, nextPage, previousPage, withFilters } from '../../lib/urlState';
import { useTicketCount, useTickets } from '../../queries/tickets';
import { TicketTable } from './TicketTable';

export default function TicketListPage() {
  const { t } = useTranslation();
  const claims = useClaims();
  const [search, setSearch] = useSearchParams();
  const query = ticketQuery(search);
  const tickets = useTickets(query);
  const page = cursorStack(search).length + 1;
  const mine = search.get('assignee_id') === String(claims.userId);
  const count = useTicketCount(query);

  return (
    <PageCard
      title={t('ticket.title')}
      actions={
        <>
          <ExportButton path="/tickets" query={query} />
          <ViewsMenu resource="tickets" spec={TICKET_FILTERS} search={search} apply={setSearch} />
          <Button
            icon={<UserOutlined />}
            data-testid="assigned-to-me"
            aria-pressed={mine}
            type={mine ? 'primary' : 'default'}
            ghost={mine}
            onClick={() => setSearch(withFilters(TICKET_FILTERS, search, { assignee_id: mine ? undefined : String(claims.userId) }))}>
            {t('ticketActions.assignedToMe')}
          </Button>
          <Link to="/tickets/board">
            <Button icon={<AppstoreOutlined />}>{t('ticket.board')}</Button>
          </Link>
          {canCreateTicket(claims) && (
            <Link to="/tickets/new">
              <Button type="primary" icon={<PlusOutlined />}>
                {t('ticket.new')}
              </Button>
            </Link>
          )}
        </>
      }>
      <TicketFilters
        search={search}
        onChange={setSearch}
        footer={<ResultCount count={count.data} noun="ticket" onExact={count.askExact} counting={count.counting} />}
      />
      <QueryState query={tickets}>
        {(data) => (
          <>
            <TicketTable tickets={data.items} fetchedAt={tickets.dataUpdatedAt} />
            <Flex justify="flex-end" align="center" gap={8} style={{ marginTop: 16 }} wrap>
              <ResultCount count={count.data} noun="ticket" onExact={count.askExact} counting={count.counting} />
              <Button disabled={page === 1} onClick={() => setSearch(previousPage(search))}>
                {t('common.prev')}
              </Button>
              <Typography.Text>{t('common.page', { n: page })}</Typography.Text>
              <Button disabled={!data.next_cursor} onClick={() => data.next_cursor && setSearch(nextPage(search, data.next_cursor))}>
                {t('common.next')}
              </Button>
              <Select
                value={query.limit}
                style={{ width: 110 }}
                options={PAGE_SIZES.map((n) => ({ value: n, label: t('common.perPage', { n }) }))}
                onChange={(limit: number) => {
                  const next = withFilters(TICKET_FILTERS, search, {});
                  next.set('limit', String(limit));
                  setSearch(next);
                }}
              />
            </Flex>
          </>
        )}
      </QueryState>
    </PageCard>
  );
}
