// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, type Call } from '../../test/harness';
import CustomerListPage from './CustomerListPage';

function customer(id: number, name: string) {
  return { id, name, code: `C2024100000${id}`, kind: 'organization', stage: 'intent', activity_status: 'active',
    grade: null, owner_id: 1, tags: [], masked_fields: [], created_at: '2024-10-08T02:00:00Z',
    updated_at: '2024-10-08T02:00:00Z', cumulative_amount: '0.00', custom_fields: {}, warnings: [] };
}

const lists = (calls: Call[]) => calls.filter((c) => c.path === '/api/v1/customers');

describe('the customer list', () => {
  it('keeps its filters and its page in the URL and pages with the cursors', async () => {
    const calls = stubApi({
      'GET /api/v1/customers': ({ search }: Call) => ({
        body: search.get('cursor') === 'page2'
          ? { items: [customer(2, '第二页客户')], next_cursor: 'page3', total: null }
          : { items: [customer(1, '第一页客户')], next_cursor: 'page2', total: null },
      }),
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
    });
    const router = renderAt('/customers?stage=intent&c=page2', '/customers', <CustomerListPage />);
    const user = userEvent.setup({ delay: null });

    await screen.findByRole('link', { name: '第二页客户' });
    expect(screen.getByText('第 2 页')).toBeTruthy();
    const first = lists(calls)[0]!;
    expect(first.search.getAll('stage')).toEqual(['intent']);
    expect(first.search.get('cursor')).toBe('page2');

    await user.click(screen.getByRole('button', { name: '上一页' }));
    await screen.findByRole('link', { name: '第一页客户' });
    expect(router.state.location.search).toBe('?stage=intent');
    expect(lists(calls).at(-1)!.search.get('cursor')).toBeNull();

    await user.click(screen.getByRole('button', { name: '下一页' }));
    await screen.findByRole('link', { name: '第二页客户' });
    expect(router.state.location.search).toBe('?stage=intent&c=page2');
  });
});
