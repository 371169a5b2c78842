// URL search parameters of the customer and ticket lists → the API's query parameters.
import type { paths } from '../api/schema.gen';
import {
  activityStatusValues,
  channelValues,
  gradeValues,
  kindValues,
  pathsApiV1CustomersGetParametersQueryArchivedValues as archivedValues,
  pathsApiV1CustomersGetParametersQuerySortValues as customerSortValues,
  pathsApiV1TicketsGetParametersQuerySla_stateAnyOf0Values as slaStateFilterValues,
  priorityValues,
  stageValues,
  ticketStatusValues as statusValues,
  ticketTypeValues,
  sourceValues,
  urgencyValues,
  pathsApiV1CustomersGetParametersQueryValue_levelValues as valueLevelValues,
} from '../api/schema.gen';
import { amount, count, cursorStack, id, ids, isoDate, known, knownOne, readParams, type ParamSpec, type ParamValues } from './urlState';

export { customerSortValues, valueLevelValues };

export const SLA_STATE_FILTERS = slaStateFilterValues.filter((v): v is NonNullable<typeof v> => v !== null);

export type CustomerQuery = NonNullable<paths['/api/v1/customers']['get']['parameters']['query']>;
export type TicketQuery = NonNullable<paths['/api/v1/tickets']['get']['parameters']['query']>;

export const PAGE_SIZES = [20, 50, 100] as const;

function pageSize(search: URLSearchParams): number {
  const n = Number(search.get('limit'));
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : 20;
}

export const CUSTOMER_FILTERS = {
  name: 'one',
  kind: 'one',
  stage: 'many',
  grade: 'many',
  activity_status: 'many',
  industry: 'one',
  owner_id: 'one',
  tag_id: 'many',
  archived: 'one',
  created_from: 'one',
  created_to: 'one',
  last_contact_from: 'one',
  last_contact_to: 'one',
  sort: 'one',
  q: 'one',
  tags_any: 'many',
  tags_none: 'many',
  not_contacted_days: 'one',
  source: 'many',
  urgency: 'many',
  region: 'many',
  unowned: 'one',
  next_follow_up_to: 'one',
  value_level: 'many',
  owner_department_id: 'one',
  tags_all: 'many',
  tag_category: 'one',
  first_contact_from: 'one',
  first_contact_to: 'one',
  amount_min: 'one',
  amount_max: 'one',
  order_count_min: 'one',
  order_count_max: 'one',
  custom: 'many',
} as const satisfies ParamSpec;

export type CustomerFilterValues = ParamValues<typeof CUSTOMER_FILTERS>;

/** A custom-field condition as the API takes it: `key:value`, `key:a|b` or `key:low..high`. */
const CUSTOM_CONDITION = /^[^:]{1,40}:.+$/;

/** `amounts`: false for roles that do not see amounts, whose amount filters would be a 403. */
export function customerQuery(search: URLSearchParams, { amounts = true } = {}): CustomerQuery {
  const p = readParams(CUSTOMER_FILTERS, search);
  const query: CustomerQuery = {
    name: p.name?.slice(0, 100),
    kind: knownOne(kindValues, p.kind),
    stage: known(stageValues, p.stage),
    grade: known(gradeValues, p.grade),
    activity_status: known(activityStatusValues, p.activity_status),
    industry: p.industry?.slice(0, 4),
    owner_id: id(p.owner_id),
    tag_id: ids(p.tag_id),
    archived: knownOne(archivedValues, p.archived),
    created_from: isoDate(p.created_from),
    created_to: isoDate(p.created_to),
    last_contact_from: isoDate(p.last_contact_from),
    last_contact_to: isoDate(p.last_contact_to),
    sort: knownOne(customerSortValues, p.sort),
    q: p.q?.slice(0, 100),
    tags_any: ids(p.tags_any),
    tags_none: ids(p.tags_none),
    not_contacted_days: id(p.not_contacted_days),
    source: known(sourceValues, p.source),
    urgency: known(urgencyValues, p.urgency),
    region: p.region.map((r) => r.slice(0, 100)),
    unowned: p.unowned === 'true' ? true : undefined,
    next_follow_up_to: isoDate(p.next_follow_up_to),
    value_level: known(valueLevelValues, p.value_level),
    owner_department_id: id(p.owner_department_id),
    tags_all: ids(p.tags_all),
    tag_category: p.tag_category?.slice(0, 50),
    first_contact_from: isoDate(p.first_contact_from),
    first_contact_to: isoDate(p.first_contact_to),
    amount_min: amounts ? amount(p.amount_min) : undefined,
    amount_max: amounts ? amount(p.amount_max) : undefined,
    order_count_min: count(p.order_count_min),
    order_count_max: count(p.order_count_max),
    custom: p.custom.filter((c) => c.length <= 300 && CUSTOM_CONDITION.test(c)),
    limit: pageSize(search),
    cursor: cursorStack(search).at(-1),
  };
  return dropEmpty(query);
}

/** The request for a page of a list: the first one also asks for the total (`with_total`),
 * later pages reuse it from the cache (counting every match is the slow part of a page). */
export function pageRequest<T extends { cursor?: string | null; with_total?: boolean }>(query: T): T {
  return query.cursor === undefined ? { ...query, with_total: true } : query;
}

/** A list query without its paging: what the total of matches depends on. */
export function withoutPaging<T extends { limit?: number; cursor?: string | null }>(query: T): Omit<T, 'limit' | 'cursor'> {
  const { limit: _limit, cursor: _cursor, ...filters } = query;
  return filters;
}

export const TICKET_FILTERS = {
  status: 'many',
  priority: 'many',
  type: 'many',
  department_id: 'one',
  assignee_id: 'one',
  customer_id: 'one',
  sla_state: 'one',
  created_from: 'one',
  created_to: 'one',
  q: 'one',
  channel: 'many',
  resolved_from: 'one',
  resolved_to: 'one',
  closed_from: 'one',
  closed_to: 'one',
  customer_tag_id: 'many',
} as const satisfies ParamSpec;

export type TicketFilterValues = ParamValues<typeof TICKET_FILTERS>;

export function ticketQuery(search: URLSearchParams): TicketQuery {
  const p = readParams(TICKET_FILTERS, search);
  return dropEmpty({
    status: known(statusValues, p.status),
    priority: known(priorityValues, p.priority),
    type: known(ticketTypeValues, p.type),
    department_id: id(p.department_id),
    assignee_id: id(p.assignee_id),
    customer_id: id(p.customer_id),
    sla_state: knownOne(SLA_STATE_FILTERS, p.sla_state),
    created_from: isoDate(p.created_from),
    created_to: isoDate(p.created_to),
    channel: known(channelValues, p.channel),
    resolved_from: isoDate(p.resolved_from),
    resolved_to: isoDate(p.resolved_to),
    closed_from: isoDate(p.closed_from),
    closed_to: isoDate(p.closed_to),
    customer_tag_id: ids(p.customer_tag_id),
    q: p.q?.slice(0, 100),
    limit: pageSize(search),
    cursor: cursorStack(search).at(-1),
  });
}

/** Undefined and empty lists left out, so equal filters make equal query keys. */
function dropEmpty<T extends object>(query: T): T {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}
