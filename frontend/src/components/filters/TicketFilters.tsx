// The ticket list's filters: every one GET /tickets takes, the most used in the bar.
import { Select } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { channelValues, priorityValues, ticketStatusValues as statusValues, ticketTypeValues } from '../../api/schema.gen';
import { SLA_STATE_FILTERS, TICKET_FILTERS, type TicketFilterValues } from '../../lib/listQueries';
import { readParams, withFilters, withoutFilters } from '../../lib/urlState';
import { useCustomer } from '../../queries/customers';
import { CustomerPicker, DepartmentSelect, EnumSelect, TagSelect, UserSelect } from '../selects';
import { chipsOf } from './chips';
import { DateRange, fieldStyle, SearchBox } from './controls';
import { FilterChips, useChipLookups } from './FilterChips';
import { FilterPanel, type FilterField } from './FilterPanel';
import { TICKET_CHIPS } from './specs';

type RangeStart = 'created_from' | 'resolved_from' | 'closed_from';
type RangeEnd = 'created_to' | 'resolved_to' | 'closed_to';

export function TicketFilters({
  search,
  onChange,
  footer,
}: {
  search: URLSearchParams;
  onChange: (next: URLSearchParams) => void;
  footer?: ReactNode;
}) {
  const { t } = useTranslation();
  const p = readParams(TICKET_FILTERS, search);
  const customerId = p.customer_id ? Number(p.customer_id) : undefined;
  const customer = useCustomer(customerId ?? 0, customerId !== undefined);
  const customerName = customer.data?.name;
  const lookups = useChipLookups((id) => (id === customerId && customerName) || `#${id}`);
  const set = (values: Partial<TicketFilterValues>) => onChange(withFilters(TICKET_FILTERS, search, values));
  const clearAll = () => onChange(withoutFilters(TICKET_FILTERS, search));
  const id = (v: string | undefined) => (v ? Number(v) : undefined);

  const field = (key: string, label: string, active: boolean, render: (inDrawer: boolean) => ReactNode): FilterField => ({
    key,
    label,
    active,
    render,
  });
  const enumField = (
    key: 'status' | 'type' | 'channel',
    label: string,
    name: 'status' | 'ticket_type' | 'channel',
    values: readonly string[],
    width: number,
  ) =>
    field(key, label, p[key].length > 0, (d) => (
      <EnumSelect
        name={name}
        values={values}
        mode="multiple"
        maxTagCount="responsive"
        placeholder={label}
        style={fieldStyle(d, width)}
        value={p[key]}
        onChange={(v: string[]) => set({ [key]: v })}
        data-testid={`filter-${key}`}
      />
    ));
  const dateRange = (from: RangeStart, to: RangeEnd, label: string) =>
    field(from, label, !!(p[from] || p[to]), (d) => (
      <DateRange
        from={p[from]}
        to={p[to]}
        style={fieldStyle(d, 240)}
        testId={`filter-${from}`}
        onChange={(a, b) => set({ [from]: a, [to]: b })}
      />
    ));

  const bar: FilterField[] = [
    field('q', t('filters.search'), !!p.q, (d) => (
      <SearchBox
        value={p.q}
        onChange={(q) => set({ q })}
        placeholder={t('ticket.filters.q')}
        style={fieldStyle(d, 240)}
        testId="filter-q"
      />
    )),
    enumField('status', t('ticket.fields.status'), 'status', statusValues, 160),
    field('priority', t('ticket.fields.priority'), p.priority.length > 0, (d) => (
      <Select
        mode="multiple"
        maxTagCount="responsive"
        allowClear
        placeholder={t('ticket.fields.priority')}
        style={fieldStyle(d, 120)}
        options={priorityValues.map((v) => ({ value: v, label: v }))}
        value={p.priority}
        onChange={(priority: string[]) => set({ priority })}
      />
    )),
    enumField('type', t('ticket.fields.type'), 'ticket_type', ticketTypeValues, 160),
    field('assignee_id', t('ticket.fields.assignee_id'), !!p.assignee_id, (d) => (
      <UserSelect
        placeholder={t('ticket.fields.assignee_id')}
        style={fieldStyle(d, 140)}
        value={id(p.assignee_id)}
        onChange={(v?: number) => set({ assignee_id: v?.toString() })}
      />
    )),
  ];
  const more: FilterField[] = [
    enumField('channel', t('ticket.fields.channel'), 'channel', channelValues, 160),
    field('sla_state', t('ticket.fields.sla_state'), !!p.sla_state, (d) => (
      <EnumSelect
        name="sla_state"
        values={SLA_STATE_FILTERS}
        placeholder={t('ticket.fields.sla_state')}
        style={fieldStyle(d, 130)}
        value={p.sla_state}
        onChange={(sla_state?: string) => set({ sla_state })}
        data-testid="filter-sla_state"
      />
    )),
    field('department_id', t('ticket.fields.department_id'), !!p.department_id, (d) => (
      <DepartmentSelect
        placeholder={t('ticket.fields.department_id')}
        style={fieldStyle(d, 140)}
        value={id(p.department_id)}
        onChange={(v?: number) => set({ department_id: v?.toString() })}
      />
    )),
    field('customer_id', t('ticket.fields.customer_id'), customerId !== undefined, (d) => (
      <CustomerPicker
        placeholder={t('ticket.customerSearch')}
        style={fieldStyle(d, 200)}
        value={customerId}
        selectedName={customerName}
        onChange={(v) => set({ customer_id: v?.toString() })}
      />
    )),
    field('customer_tag_id', t('ticket.filters.customerTag'), p.customer_tag_id.length > 0, (d) => (
      <TagSelect
        mode="multiple"
        maxTagCount="responsive"
        placeholder={t('ticket.filters.customerTag')}
        style={fieldStyle(d, 180)}
        value={p.customer_tag_id.map(Number)}
        onChange={(ids: number[]) => set({ customer_tag_id: ids.map(String) })}
      />
    )),
    dateRange('created_from', 'created_to', t('ticket.filters.created')),
    dateRange('resolved_from', 'resolved_to', t('ticket.filters.resolved')),
    dateRange('closed_from', 'closed_to', t('ticket.filters.closed')),
  ];

  return (
    <>
      <FilterPanel bar={bar} more={more} footer={footer} onClearAll={clearAll} />
      <FilterChips
        chips={chipsOf(TICKET_CHIPS, p, lookups)}
        onClearAll={clearAll}
        onRemove={(chip) => onChange(withFilters(TICKET_FILTERS, search, chip.remove as Partial<TicketFilterValues>))}
      />
    </>
  );
}
