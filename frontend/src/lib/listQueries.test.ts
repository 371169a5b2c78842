import { describe, expect, it } from 'vitest';
import { CUSTOMER_FILTERS, customerQuery, ticketQuery } from './listQueries';
import { nextPage, previousPage, withFilters } from './urlState';

const url = (s: string) => new URLSearchParams(s);

describe('customer list filters ↔ URL', () => {
  it('reads the API query from the URL', () => {
    expect(customerQuery(url('stage=intent&stage=customer&grade=S&tag_id=3&tag_id=5&name=云帆&sort=-name&limit=50'))).toEqual({
      stage: ['intent', 'customer'],
      grade: ['S'],
      tag_id: [3, 5],
      name: '云帆',
      sort: '-name',
      limit: 50,
    });
  });

  it('drops values the API would refuse', () => {
    expect(customerQuery(url('stage=bogus&grade=Z&tag_id=x&owner_id=-1&created_from=yesterday&sort=id&limit=7'))).toEqual({ limit: 20 });
  });

  it('writes filters back and starts again at page one', () => {
    const search = url('stage=intent&limit=50&c=first&c=second');
    const next = withFilters(CUSTOMER_FILTERS, search, { stage: ['lost'], name: '恒通', grade: [] });
    expect(next.getAll('stage')).toEqual(['lost']);
    expect(next.get('name')).toBe('恒通');
    expect(next.get('limit')).toBe('50');
    expect(next.getAll('c')).toEqual([]);
  });

  it('keeps its place: the cursor stack is the page, and back pops it', () => {
    let search = url('stage=intent');
    search = nextPage(search, 'WzEwLDEwXQ==');
    search = nextPage(search, 'WzUsNV0=');
    expect(customerQuery(search).cursor).toBe('WzUsNV0=');
    search = previousPage(search);
    expect(customerQuery(search)).toEqual({ stage: ['intent'], limit: 20, cursor: 'WzEwLDEwXQ==' });
    search = previousPage(search);
    expect(customerQuery(search).cursor).toBeUndefined();
  });
});

describe('ticket list filters ↔ URL', () => {
  it('reads statuses, ids and the SLA state', () => {
    expect(ticketQuery(url('status=new&status=nope&priority=P1&assignee_id=5&sla_state=breached&c=abc'))).toEqual({
      status: ['new'],
      priority: ['P1'],
      assignee_id: 5,
      sla_state: 'breached',
      limit: 20,
      cursor: 'abc',
    });
  });

  it('refuses an SLA state the list filter does not take', () => {
    expect(ticketQuery(url('sla_state=met'))).toEqual({ limit: 20 });
  });
});
