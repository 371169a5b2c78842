// The app never sends a query parameter the API does not declare (the server answers 400
// naming it): every key the list query builders can produce is in the OpenAPI document.
import { describe, expect, it } from 'vitest';
import openapi from '../../../openapi/openapi.json';
import { CUSTOMER_FILTERS, customerQuery, TICKET_FILTERS, ticketQuery } from './listQueries';

type Operation = { parameters?: { name: string; in: string }[] };
const paths = (openapi as unknown as { paths: Record<string, { get?: Operation }> }).paths;

function declared(path: string): Set<string> {
  return new Set((paths[path]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
}

const SAMPLE: Record<string, string> = {
  kind: 'organization', stage: 'intent', grade: 'A', activity_status: 'active', archived: 'all',
  sort: '-name', status: 'new', priority: 'P1', type: 'complaint', sla_state: 'warning',
  source: 'online', urgency: 'high', unowned: 'true',
};

function everything(spec: Record<string, string>): URLSearchParams {
  const search = new URLSearchParams({ limit: '50', c: 'abc' });
  for (const key of Object.keys(spec)) {
    const value = SAMPLE[key] ?? (key.endsWith('_from') || key.endsWith('_to') ? '2025-01-01' : key.endsWith('id') || key.startsWith('tag') || key.endsWith('days') ? '3' : 'x');
    search.append(key, value);
  }
  return search;
}

describe('list queries send only declared parameters', () => {
  it('customers', () => {
    const query = customerQuery(everything(CUSTOMER_FILTERS));
    const allowed = declared('/api/v1/customers');
    expect(Object.keys(query).length).toBeGreaterThan(10);
    expect(Object.keys(query).filter((k) => !allowed.has(k))).toEqual([]);
  });

  it('tickets', () => {
    const query = ticketQuery(everything(TICKET_FILTERS));
    const allowed = declared('/api/v1/tickets');
    expect(Object.keys(query).filter((k) => !allowed.has(k))).toEqual([]);
  });

  it('search and saved views', () => {
    expect([...declared('/api/v1/search')].sort()).toEqual(['limit', 'q', 'types']);
    expect(declared('/api/v1/saved-views').has('resource')).toBe(true);
  });
});
