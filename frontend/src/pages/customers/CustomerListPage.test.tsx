// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, type Call, selectOption } from '../../test/harness';
import CustomerListPage from './CustomerListPage';

function customer(id: number, name: string) {
  return {
    id,
    name,
    code: `C2024100000${id}`,
    kind: 'organization',
    stage: 'intent',
    activity_status: 'active',
    grade: null,
    owner_id: 1,
    tags: [],
    masked_fields: [],
    created_at: '2024-10-08T02:00:00Z',
    updated_at: '2024-10-08T02:00:00Z',
    cumulative_amount: '0.00',
    custom_fields: {},
    warnings: [],
    version: id + 2,
  };
}

const lists = (calls: Call[]) => calls.filter((c) => c.path === '/api/v1/customers');

describe('the customer list', () => {
  it('keeps its filters and its page in the URL and pages with the cursors', async () => {
    const calls = stubApi({
      'GET /api/v1/customers': ({ search }: Call) => ({
        body:
          search.get('cursor') === 'page2'
            ? { items: [{ ...customer(2, '第二页客户'), pool_days_left: 2 }], next_cursor: 'page3', total: null }
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
    expect(screen.getByTestId('pool-warning-tag').textContent).toBe('2 天后将被收回公海'); // beside its name
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

  it('shows the first page’s total, and reuses it on later pages without counting again', async () => {
    const calls = stubApi({
      'GET /api/v1/customers': ({ search }: Call) => ({
        body:
          search.get('cursor') === 'page2'
            ? { items: [customer(2, '第二页客户')], next_cursor: null, total: null }
            : { items: [customer(1, '第一页客户')], next_cursor: 'page2', total: search.get('with_total') === 'true' ? 42 : null },
      }),
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
      'GET /api/v1/saved-views': [],
    });
    renderAt('/customers?stage=intent', '/customers', <CustomerListPage />);
    const user = userEvent.setup({ delay: null });

    await screen.findByRole('link', { name: '第一页客户' });
    expect((await screen.findAllByText('共 42 个客户')).length).toBeGreaterThan(0);
    expect(lists(calls)[0]!.search.get('with_total')).toBe('true');

    await user.click(screen.getByRole('button', { name: '下一页' }));
    await screen.findByRole('link', { name: '第二页客户' });
    expect(screen.getAllByText('共 42 个客户').length).toBeGreaterThan(0);
    expect(lists(calls).map((c) => [c.search.get('cursor'), c.search.get('with_total')])).toEqual([
      [null, 'true'],
      ['page2', null],
    ]);
  });

  it('shows a wide total as the estimate it is, and counts exactly when asked', async () => {
    const calls = stubApi({
      'GET /api/v1/customers': ({ search }: Call) => ({
        body:
          search.get('exact_total') === 'true'
            ? { items: [customer(1, '第一页客户')], next_cursor: null, total: 1234567, total_accuracy: 'exact' }
            : { items: [customer(1, '第一页客户')], next_cursor: null, total: 1000000, total_accuracy: 'estimate' },
      }),
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
      'GET /api/v1/saved-views': [],
    });
    renderAt('/customers', '/customers', <CustomerListPage />);
    const user = userEvent.setup({ delay: null });

    expect((await screen.findAllByText('约 1,000,000 个客户')).length).toBeGreaterThan(0);
    expect(lists(calls).some((c) => c.search.get('exact_total') === 'true')).toBe(false);
    await user.click(screen.getAllByRole('button', { name: '精确计数' })[0]!);
    expect((await screen.findAllByText('共 1,234,567 个客户')).length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: '精确计数' })).toBeNull();
    const exact = lists(calls).filter((c) => c.search.get('exact_total') === 'true');
    expect(exact.map((c) => [c.search.get('limit'), c.search.get('with_total')])).toEqual([['1', null]]);
  });

  it('counts once, with a one-row page, when a later page is opened first', async () => {
    const calls = stubApi({
      'GET /api/v1/customers': ({ search }: Call) => ({
        body: { items: [customer(2, '第二页客户')], next_cursor: null, total: search.get('with_total') === 'true' ? 7 : null },
      }),
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
      'GET /api/v1/saved-views': [],
    });
    renderAt('/customers?grade=S&c=page2', '/customers', <CustomerListPage />);
    await screen.findByRole('link', { name: '第二页客户' });
    expect((await screen.findAllByText('共 7 个客户')).length).toBeGreaterThan(0);
    const counting = lists(calls).filter((c) => c.search.get('with_total') === 'true');
    expect(counting.map((c) => [c.search.get('limit'), c.search.get('cursor'), c.search.getAll('grade')])).toEqual([['1', null, ['S']]]);
  });

  it('shows the active conditions as chips; closing one removes only that condition', async () => {
    stubApi({
      'GET /api/v1/customers': { items: [customer(1, '某客户')], next_cursor: null, total: 1 },
      'GET /api/v1/tags': [{ id: 7, name: '重点', category: null, color: null, customer_count: 1, version: 1 }],
      'GET /api/v1/users': [{ id: 5, display_name: '张伟', role: 'account_manager', is_active: true }],
      'GET /api/v1/industries': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
      'GET /api/v1/saved-views': [],
    });
    const router = renderAt('/customers?source=online&owner_id=5&tags_all=7&sort=-name', '/customers', <CustomerListPage />);
    const user = userEvent.setup({ delay: null });
    await screen.findByText('来源：线上');
    await screen.findByText('负责人：张伟');
    await screen.findByText('标签（全部）：重点');

    const chip = screen.getByText('来源：线上').closest('[data-testid="filter-chip"]') as HTMLElement;
    await user.click(within(chip).getByLabelText('移除条件'));
    expect(router.state.location.search).toBe('?owner_id=5&tags_all=7&sort=-name');
    expect(screen.queryByText('来源：线上')).toBeNull();

    await user.click(screen.getByTestId('clear-filters'));
    expect(router.state.location.search).toBe('?sort=-name');
  });

  it('changes the stage of the selected customers, and transfers them (an approval where the rules say so)', async () => {
    const calls = stubApi({
      'GET /api/v1/customers': {
        items: [customer(1, '甲公司'), customer(2, '乙公司'), customer(3, '丙公司')],
        next_cursor: null,
        total: 3,
      },
      'PATCH /api/v1/customers/1': customer(1, '甲公司'),
      // a transfer waits for an admin's approval; a stage change is saved
      'PATCH /api/v1/customers/2': ({ body }: Call) => ({
        body: 'owner_id' in (body as object) ? { items: [{ id: 9, field: 'owner_id', new_value: 7 }] } : customer(2, '乙公司'),
      }),
      'GET /api/v1/tags': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
      'GET /api/v1/saved-views': [],
      'GET /api/v1/users': [{ id: 7, display_name: '王经理', role: 'account_manager', is_active: true }],
    });
    renderAt('/customers', '/customers', <CustomerListPage />);
    const user = userEvent.setup({ delay: null });
    await screen.findByRole('link', { name: '甲公司' });
    const row = (name: string) => screen.getByRole('link', { name }).closest('tr') as HTMLElement;
    await user.click(within(row('甲公司')).getByRole('checkbox'));
    await user.click(within(row('乙公司')).getByRole('checkbox'));

    await user.click(screen.getByTestId('bulk-stage'));
    let dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('combobox'));
    await waitFor(() => expect(selectOption('成交')).toBeTruthy());
    await user.click(selectOption('成交'));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2));
    expect(await screen.findByText('已更新 2 个客户')).toBeTruthy();
    const stagePatches = calls.filter((c) => c.method === 'PATCH');
    expect(stagePatches.map((c) => [c.path, c.body, c.headers.get('if-match')])).toEqual([
      ['/api/v1/customers/1', { stage: 'customer' }, '"3"'],
      ['/api/v1/customers/2', { stage: 'customer' }, '"4"'],
    ]);

    await user.click(within(row('甲公司')).getByRole('checkbox'));
    await user.click(within(row('乙公司')).getByRole('checkbox'));
    await user.click(screen.getByTestId('bulk-owner'));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('combobox'));
    await waitFor(() => expect(selectOption('王经理')).toBeTruthy());
    await user.click(selectOption('王经理'));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await screen.findByText('已更新 1 个客户')).toBeTruthy();
    expect(await screen.findByText('1 个客户的变更已提交管理员审批')).toBeTruthy();
    expect(
      calls
        .filter((c) => c.method === 'PATCH')
        .slice(2)
        .map((c) => c.body),
    ).toEqual([{ owner_id: 7 }, { owner_id: 7 }]);
  });

  it("shows an admin their own customers in one click, and everyone's again", async () => {
    const calls = stubApi({
      'GET /api/v1/customers': { items: [customer(1, '甲公司')], next_cursor: null, total: 1 },
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
      'GET /api/v1/saved-views': [],
    });
    const router = renderAt('/customers?stage=intent', '/customers', <CustomerListPage />, { sub: '5' });
    const user = userEvent.setup({ delay: null });
    await screen.findByRole('link', { name: '甲公司' });
    await user.click(screen.getByTestId('my-customers'));
    await waitFor(() => expect(router.state.location.search).toBe('?stage=intent&owner_id=5'));
    await waitFor(() => expect(lists(calls).at(-1)!.search.get('owner_id')).toBe('5'));
    expect(screen.getByTestId('my-customers').getAttribute('aria-pressed')).toBe('true');
    await user.click(screen.getByTestId('my-customers'));
    await waitFor(() => expect(router.state.location.search).toBe('?stage=intent'));
  });
});
