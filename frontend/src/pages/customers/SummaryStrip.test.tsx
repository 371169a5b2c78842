// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, selectOption } from '../../test/harness';
import { SummaryStrip } from './SummaryStrip';

const customer = {
  id: 9,
  name: '上海样例',
  owner_id: 1,
  archived: false,
  stage: 'intent',
  grade: 'A',
  value_level: 'medium',
  last_contact_at: new Date(Date.now() - 2 * 86400_000).toISOString(),
  next_follow_up_on: '2026-12-10',
  primary_contact: { id: 1, name: '王经理', mobile: '+8613800138000', phone: null, email: 'wang@example.cn' },
  version: 1,
} as never;
const summary = {
  customer_id: 9,
  contacts: 1,
  follow_ups: 3,
  orders: 2,
  opportunities: 2,
  open_opportunities: 1,
  open_opportunity_amount: '50000.00',
  tickets: 4,
  open_tickets: 2,
  open_tasks: 1,
  pool_release_on: '2026-12-09',
  pool_days_left: 3,
  pool_warning: true,
};

describe('the customer summary strip', () => {
  it('shows how to reach them, what is open, the pool warning and the quick actions', async () => {
    stubApi({
      'GET /api/v1/customers/9/summary': summary,
      'GET /api/v1/users': [{ id: 1, display_name: '管理员', username: 'admin', role: 'admin', is_active: true }],
    });
    renderAt('/c', '/c', <SummaryStrip customer={customer} />);
    const call = await screen.findByTestId('call-primary');
    expect(call.getAttribute('href')).toBe('tel:+8613800138000');
    expect(call.textContent).toContain('138 0013 8000');
    expect(screen.getByText('wang@example.cn').closest('a')?.getAttribute('href')).toBe('mailto:wang@example.cn');
    expect((await screen.findByTestId('summary-open-opportunities')).textContent).toBe('1 个 · ¥50,000.00');
    expect(screen.getByTestId('summary-open-tickets').textContent).toBe('2');
    expect(screen.getByText('3 天后将被收回公海')).toBeTruthy();
    expect(screen.getByText('2 天前')).toBeTruthy();
    const actions = screen.getByTestId('quick-actions');
    for (const label of ['记录跟进', '新建工单', '新建商机', '添加任务', '转移负责人']) {
      expect(within(actions).getByText(label)).toBeTruthy();
    }
    expect(within(actions).getByText('新建工单').closest('a')?.getAttribute('href')).toBe('/tickets/new?customer_id=9');
  });

  it.each([
    ['quick-follow-up', '?tab=follow-ups&new=1'],
    ['quick-opportunity', '?tab=opportunities&new=1'],
    ['quick-task', '?tab=tasks&new=1'],
  ])('a quick action (%s) opens its tab asking for a new record', async (testId, search) => {
    stubApi({
      'GET /api/v1/customers/9/summary': { ...summary, pool_warning: false },
      'GET /api/v1/users': [],
    });
    const router = renderAt('/customers/9', '/customers/:id', <SummaryStrip customer={customer} />);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId(testId));
    await waitFor(() => expect(router.state.location.search).toBe(search));
    expect(router.state.location.pathname).toBe('/customers/9');
  });

  it('offers an agent no money and no owner’s actions', async () => {
    stubApi({
      'GET /api/v1/customers/9/summary': {
        ...summary,
        orders: null,
        opportunities: null,
        open_opportunities: null,
        open_opportunity_amount: null,
        pool_warning: false,
      },
      'GET /api/v1/users': [],
    });
    renderAt('/c', '/c', <SummaryStrip customer={{ ...(customer as object), primary_contact: null } as never} />, {
      sub: '5',
      role: 'agent',
      scope: 'customers:read tickets:read tickets:write users:read notifications',
    });
    expect(await screen.findByText('暂无联系人')).toBeTruthy();
    expect(screen.queryByTestId('summary-open-opportunities')).toBeNull();
    expect(screen.queryByTestId('pool-warning')).toBeNull();
    const actions = screen.getByTestId('quick-actions');
    expect(within(actions).queryByText('记录跟进')).toBeNull();
    expect(within(actions).getByText('新建工单')).toBeTruthy();
  });

  // The form hides the owner field from account managers, so the strip asks for the new owner
  // itself; the API saves an admin's transfer (200) and makes a manager's a change request (202).
  it.each([
    ['saves at once', 200, { ...(customer as object), owner_id: 7, version: 2 }, '负责人已转移'],
    ['is sent for approval', 202, { items: [{ id: 3, field: 'owner_id', new_value: 7 }] }, '已提交审批'],
  ])("transfers a manager's customer from a dialog: a transfer that %s", async (_, status, answer, said) => {
    const calls = stubApi({
      'GET /api/v1/customers/9/summary': { ...summary, pool_warning: false },
      'GET /api/v1/users': [
        { id: 5, display_name: '李经理', username: 'li', role: 'account_manager', is_active: true },
        { id: 7, display_name: '王经理', username: 'wang', role: 'account_manager', is_active: true },
        { id: 8, display_name: '客服小张', username: 'zhang', role: 'agent', is_active: true },
      ],
      'PATCH /api/v1/customers/9': () => ({ status, body: answer }),
      // the dialog reads the customer for its version (on its page, from the page's query)
      'GET /api/v1/customers/9': { ...(customer as object), owner_id: 5, version: 1 },
    });
    renderAt('/c', '/c', <SummaryStrip customer={{ ...(customer as object), owner_id: 5, version: 1 } as never} />, {
      sub: '5',
      role: 'account_manager',
      scope: 'customers:read customers:write users:read',
    });
    const user = userEvent.setup({ delay: null });
    const transfer = await screen.findByTestId('transfer-owner');
    expect(transfer.closest('a')).toBeNull(); // no longer a link to a form without the field
    await user.click(transfer);
    const dialog = await screen.findByRole('dialog');
    const ok = within(dialog).getByRole('button', { name: /确\s*定/ });
    expect(ok.hasAttribute('disabled')).toBe(true);
    await user.click(within(dialog).getByRole('combobox'));
    await waitFor(() => expect(selectOption('王经理')).toBeTruthy());
    expect(selectOption('客服小张')).toBeUndefined(); // agents own no customers
    await user.click(selectOption('王经理'));
    await user.click(ok);
    expect(await screen.findByText(said)).toBeTruthy();
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => [c.path, c.body, c.headers.get('if-match')])).toEqual([['/api/v1/customers/9', { owner_id: 7 }, '"1"']]);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // the customer is read again (its page's query and the strip's summary share the prefix)
    const summaryReads = calls.filter((c) => c.path === '/api/v1/customers/9/summary');
    expect(summaryReads).toHaveLength(2);
    expect(calls.indexOf(summaryReads[1]!)).toBeGreaterThan(calls.indexOf(patches[0]!));
  });
});
