// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../api/client';
import { renderAt, stubApi } from '../../test/harness';
import { OpportunitiesTab } from './OpportunitiesTab';

const customer = { id: 3, owner_id: 1, archived: false } as Schemas['CustomerOut'];
const base = {
  customer_id: 3,
  customer_name: '闽江测试科技有限公司',
  owner_id: 1,
  lost_reason: null,
  expected_close_on: '2026-12-31',
  closed_at: null,
  last_effective_follow_up_at: null,
  stale: false,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
};
const open = {
  ...base,
  id: 7,
  title: '年度维保',
  budget_min: '10000.00',
  budget_max: '12800.50',
  stage: 'quote',
  allowed_transitions: ['contract', 'lost'],
  version: 4,
};
const won = { ...open, id: 8, title: '旧合同', stage: 'won', allowed_transitions: [], version: 2 };
const list = { items: [open, won], next_cursor: null };
const user = () => userEvent.setup({ delay: null });
const ok = (dialog: HTMLElement) => within(dialog).getByRole('button', { name: /确\s*定|OK/ });

describe('the customer’s opportunities', () => {
  it('edits an open one (title, budget, close date) with If-Match; a won one has no edit', async () => {
    const calls = stubApi({
      'GET /api/v1/customers/3/opportunities': list,
      'PATCH /api/v1/opportunities/7': { ...open, title: '年度维保（续）' },
    });
    renderAt('/c', '/c', <OpportunitiesTab customer={customer} />, { sub: '1', role: 'account_manager' });
    await screen.findByText('年度维保');
    expect(screen.queryByTestId('edit-opportunity-8')).toBeNull();
    const u = user();
    await u.click(screen.getByTestId('edit-opportunity-7'));
    const dialog = await screen.findByRole('dialog');
    const title = within(dialog).getByTestId('opportunity-title');
    await u.clear(title);
    await u.type(title, ' 年度维保（续） ');
    const max = within(dialog).getByTestId('budget-max');
    await u.clear(max);
    await u.type(max, '15000');
    await u.click(ok(dialog));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.headers.get('If-Match')).toBe('"4"');
    expect(patch.body).toEqual({
      title: '年度维保（续）',
      budget_min: '10000.00',
      budget_max: '15000',
      expected_close_on: '2026-12-31',
    });
  });

  it('checks the budget before the round trip: two decimals at most, the maximum not below the minimum', async () => {
    const calls = stubApi({ 'GET /api/v1/customers/3/opportunities': list });
    renderAt('/c', '/c', <OpportunitiesTab customer={customer} />, { sub: '1', role: 'account_manager' });
    await screen.findByText('年度维保');
    const u = user();
    await u.click(screen.getByTestId('edit-opportunity-7'));
    const dialog = await screen.findByRole('dialog');
    const max = within(dialog).getByTestId('budget-max');
    await u.clear(max);
    await u.type(max, '9000');
    await u.click(ok(dialog));
    expect(await within(dialog).findByText('预算上限不能低于预算下限')).toBeTruthy();
    await u.clear(max);
    await u.type(max, '12000.505');
    await u.click(ok(dialog));
    expect(await within(dialog).findByText('请输入金额（元），最多两位小数')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('opens the new-opportunity form when the page asks for it (?new=1, the summary strip’s quick action)', async () => {
    stubApi({ 'GET /api/v1/customers/3/opportunities': list });
    const router = renderAt('/c?tab=opportunities&new=1', '/c', <OpportunitiesTab customer={customer} />, {
      sub: '1',
      role: 'account_manager',
    });
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('新建商机')).toBeTruthy();
    await user().click(within(dialog).getByRole('button', { name: /取\s*消|Cancel/ }));
    await waitFor(() => expect(router.state.location.search).toBe('?tab=opportunities'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
