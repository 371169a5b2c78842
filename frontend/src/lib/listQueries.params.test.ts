// The app never sends a query parameter the API does not declare (the server answers 400
// naming it): every key the list query builders can produce is in the OpenAPI document.
import { describe, expect, it } from 'vitest';
import openapi from '../../../openapi/openapi.json';
import {
  CUSTOMER_FILTERS,
  customerQuery,
  customerSortValues,
  pageRequest,
  TICKET_FILTERS,
  ticketQuery,
  withoutPaging,
} from './listQueries';

type Operation = { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[] };
const paths = (openapi as unknown as { paths: Record<string, { get?: Operation }> }).paths;

function declared(path: string): Set<string> {
  return new Set((paths[path]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
}

const SAMPLE: Record<string, string> = {
  kind: 'organization',
  stage: 'intent',
  grade: 'A',
  activity_status: 'active',
  archived: 'all',
  sort: '-name',
  status: 'new',
  priority: 'P1',
  type: 'complaint',
  sla_state: 'warning',
  source: 'online',
  urgency: 'high',
  unowned: 'true',
  value_level: 'high',
  amount_min: '100.50',
  amount_max: '2000',
  order_count_min: '0',
  order_count_max: '5',
  custom: 'erp_system:用友U8|金蝶',
  tag_category: '区域',
  region: '华东-上海',
  channel: 'phone',
};

function everything(spec: Record<string, string>): URLSearchParams {
  const search = new URLSearchParams({ limit: '50', c: 'abc' });
  for (const key of Object.keys(spec)) {
    const value =
      SAMPLE[key] ??
      (key.endsWith('_from') || key.endsWith('_to')
        ? '2025-01-01'
        : key.endsWith('id') || key.startsWith('tag') || key.endsWith('days')
          ? '3'
          : 'x');
    search.append(key, value);
  }
  return search;
}

describe('list queries send only declared parameters', () => {
  it('customers: every filter of the URL reaches the query, and only declared ones', () => {
    const query = customerQuery(everything(CUSTOMER_FILTERS));
    const allowed = declared('/api/v1/customers');
    // Every URL filter becomes a query parameter (a value the API refuses would be dropped).
    expect(Object.keys(query).sort()).toEqual([...Object.keys(CUSTOMER_FILTERS), 'limit', 'cursor'].sort());
    expect(Object.keys(query).filter((k) => !allowed.has(k))).toEqual([]);
  });

  it('customers: the first page asks for the total, a later page does not', () => {
    const allowed = declared('/api/v1/customers');
    const first = pageRequest(customerQuery(new URLSearchParams('stage=intent')));
    expect(first.with_total).toBe(true);
    expect(Object.keys(first).filter((k) => !allowed.has(k))).toEqual([]);
    expect(pageRequest(customerQuery(new URLSearchParams('stage=intent&c=abc'))).with_total).toBeUndefined();
    expect(Object.keys(withoutPaging(customerQuery(new URLSearchParams('stage=intent&limit=50&c=abc'))))).toEqual(['stage']);
  });

  it('customers: amount filters are left out for roles that do not see amounts', () => {
    const search = new URLSearchParams('amount_min=1&amount_max=2&order_count_min=1');
    expect(customerQuery(search, { amounts: false })).toEqual({ order_count_min: 1, limit: 20 });
  });

  it('customers: every sort offered is one the API declares', () => {
    const sort = paths['/api/v1/customers']?.get?.parameters?.find((p) => p.name === 'sort');
    expect(customerSortValues.filter((s) => !sort?.schema?.enum?.includes(s))).toEqual([]);
  });

  it('tickets: every filter of the URL reaches the query, and only declared ones', () => {
    const query = ticketQuery(everything(TICKET_FILTERS));
    const allowed = declared('/api/v1/tickets');
    expect(Object.keys(query).sort()).toEqual([...Object.keys(TICKET_FILTERS), 'limit', 'cursor'].sort());
    expect(Object.keys(query).filter((k) => !allowed.has(k))).toEqual([]);
    const first = pageRequest(ticketQuery(new URLSearchParams('status=new')));
    expect(first.with_total).toBe(true);
    expect(Object.keys(first).filter((k) => !allowed.has(k))).toEqual([]);
    expect(pageRequest(ticketQuery(new URLSearchParams('status=new&c=abc'))).with_total).toBeUndefined();
  });

  it('search and saved views', () => {
    expect([...declared('/api/v1/search')].sort()).toEqual(['limit', 'q', 'types']);
    expect(declared('/api/v1/saved-views').has('resource')).toBe(true);
  });
});
