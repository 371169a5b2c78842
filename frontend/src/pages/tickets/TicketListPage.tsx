import { AppstoreOutlined, PlusOutlined, UserOutlined } from '@ant-design/icons';
import { Button, DatePicker, Flex, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { priorityValues, domain__ticket__StatusValues as statusValues, ticketTypeValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { ExportButton } from '../../components/ExportButton';
import { FilterBar, PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { DepartmentSelect, EnumSelect, UserSelect } from '../../components/selects';
import { PAGE_SIZES, SLA_STATE_FILTERS, TICKET_FILTERS, ticketQuery } from '../../lib/listQueries';
import { canCreateTicket } from '../../lib/permissions';
import { dateFromPicker, dateToPicker } from '../../lib/time';
import { cursorStack, nextPage, previousPage, readParams, withFilters } from '../../lib/urlState';
import { useTickets } from '../../queries/tickets';
import { TicketTable } from './TicketTable';

export default function TicketListPage() {
  const { t } = useTranslation();
  const claims = useClaims();
  const [search, setSearch] = useSearchParams();
  const query = ticketQuery(search);
  const tickets = useTickets(query);
  const filters = readParams(TICKET_FILTERS, search);
  const page = cursorStack(search).length + 1;
  const setFilters = (values: Partial<typeof filters>) => setSearch(withFilters(TICKET_FILTERS, search, values));
  const idValue = (v: string | undefined) => (v ? Number(v) : undefined);
  const mine = filters.assignee_id === String(claims.userId);

  return (
    <PageCard title={t('ticket.title')} actions={(
      <>
        <ExportButton path="/tickets" query={query} />
        <Button icon={<UserOutlined />} data-testid="assigned-to-me" aria-pressed={mine}
          type={mine ? 'primary' : 'default'} ghost={mine}
          onClick={() => setFilters({ assignee_id: mine ? undefined : String(claims.userId) })}>
          {t('ticketActions.assignedToMe')}
        </Button>
        <Link to="/tickets/board"><Button icon={<AppstoreOutlined />}>{t('ticket.board')}</Button></Link>
        {canCreateTicket(claims) && <Link to="/tickets/new"><Button type="primary" icon={<PlusOutlined />}>{t('ticket.new')}</Button></Link>}
      </>
    )}>
      <FilterBar active={Object.values(filters).filter((v) => (Array.isArray(v) ? v.length : v)).length}>
        <EnumSelect name="status" values={statusValues} mode="multiple" placeholder={t('ticket.fields.status')}
          style={{ minWidth: 160 }} value={filters.status} onChange={(status: string[]) => setFilters({ status })} />
        <Select mode="multiple" allowClear placeholder={t('ticket.fields.priority')} style={{ minWidth: 120 }}
          options={priorityValues.map((p) => ({ value: p, label: p }))} value={filters.priority}
          onChange={(priority: string[]) => setFilters({ priority })} />
        <EnumSelect name="ticket_type" values={ticketTypeValues} mode="multiple" placeholder={t('ticket.fields.type')}
          style={{ minWidth: 160 }} value={filters.type} onChange={(type: string[]) => setFilters({ type })} />
        <EnumSelect name="sla_state" values={SLA_STATE_FILTERS} placeholder={t('ticket.fields.sla_state')} style={{ width: 130 }}
          value={filters.sla_state} onChange={(sla_state?: string) => setFilters({ sla_state })} />
        <DepartmentSelect placeholder={t('ticket.fields.department_id')} style={{ width: 140 }}
          value={idValue(filters.department_id)} onChange={(v?: number) => setFilters({ department_id: v?.toString() })} />
        <UserSelect placeholder={t('ticket.fields.assignee_id')} style={{ width: 140 }}
          value={idValue(filters.assignee_id)} onChange={(v?: number) => setFilters({ assignee_id: v?.toString() })} />
        <DatePicker.RangePicker placeholder={[t('ticket.fields.created_at'), t('ticket.fields.created_at')]}
          value={[dateToPicker(filters.created_from), dateToPicker(filters.created_to)]}
          onChange={(v) => setFilters({ created_from: dateFromPicker(v?.[0]) ?? undefined, created_to: dateFromPicker(v?.[1]) ?? undefined })} />
        <Button onClick={() => setSearch(new URLSearchParams())}>{t('common.reset')}</Button>
      </FilterBar>
      <QueryState query={tickets}>
        {(data) => (
          <>
            <TicketTable tickets={data.items} fetchedAt={tickets.dataUpdatedAt} />
            <Flex justify="flex-end" align="center" gap={8} style={{ marginTop: 16 }} wrap>
              <Button disabled={page === 1} onClick={() => setSearch(previousPage(search))}>{t('common.prev')}</Button>
              <Typography.Text>{t('common.page', { n: page })}</Typography.Text>
              <Button disabled={!data.next_cursor}
                onClick={() => data.next_cursor && setSearch(nextPage(search, data.next_cursor))}>{t('common.next')}</Button>
              <Select value={query.limit} style={{ width: 110 }}
                options={PAGE_SIZES.map((n) => ({ value: n, label: t('common.perPage', { n }) }))}
                onChange={(limit: number) => { const next = withFilters(TICKET_FILTERS, search, {}); next.set('limit', String(limit)); setSearch(next); }} />
            </Flex>
          </>
        )}
      </QueryState>
    </PageCard>
  );
}
