// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, selectOption } from '../../test/harness';
import PoolPage from './PoolPage';

const item = {
  id: 42,
  code: 'C202611000042',
  kind: 'organization',
  name: '杭州公海测试有限公司',
  credit_code: null,
  gender: null,
  industry: 'I65',
  size: null,
  main_business: null,
  region: '浙江杭州',
  stage: 'intent',
  grade: null,
  source: null,
  urgency: null,
  tags: [],
  first_cooperation_on: null,
  last_contact_at: null,
  last_order_on: null,
  pool_entered_at: new Date(Date.now() - 3 * 3600_000).toISOString(),
  released_by: 3,
  contacts: [
    {
      id: 1,
      customer_id: 42,
      name: '王经理',
      title: null,
      mobile: '+86138****5678',
      phone: null,
      email: null,
      wechat: null,
      is_primary: true,
      version: 1,
      created_at: '2026-11-01T00:00:00Z',
      updated_at: '2026-11-01T00:00:00Z',
      masked_fields: ['mobile'],
    },
  ],
};

describe('the public pool', () => {
  it('lists pool customers with masked contacts and says why a claim was refused, in Chinese', async () => {
    let refused = true;
    const calls = stubApi({
      'GET /api/v1/pool': { items: [item], next_cursor: null },
      'GET /api/v1/users': [{ id: 3, display_name: '张伟', username: 'zhangwei', role: 'account_manager', is_active: true }],
      'GET /api/v1/industries': [],
      'POST /api/v1/pool/42/claim': () =>
        refused
          ? {
              status: 409,
              body: {
                type: '/problems/claim-limit',
                title: 'Claim limit',
                status: 409,
                code: 'claim-limit',
                detail: 'You already own 200 customers; the limit is 200.',
                owned: 200,
                limit: 200,
              },
            }
          : { body: { id: 42 } },
    });
    renderAt('/pool', '/pool', <PoolPage />);
    expect(await screen.findByText('杭州公海测试有限公司')).toBeTruthy();
    expect(screen.getByText('王经理 · 138 **** 5678')).toBeTruthy();
    expect(screen.getByText('3 小时前')).toBeTruthy();
    expect(screen.getByText('张伟')).toBeTruthy(); // admins see who released it
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('claim-42'));
    expect(await screen.findByText('您已拥有 200 个客户，达到领取上限 200 个。')).toBeTruthy();
    refused = false;
    await user.click(screen.getByTestId('claim-42'));
    expect(await screen.findByText('已领取，客户已归入您名下')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/pool/42/claim')).toHaveLength(2);
  });

  it('lets an admin assign a pool customer to an owner: the owner set with If-Match, the row gone', async () => {
    let inPool = true;
    const calls = stubApi({
      'GET /api/v1/pool': () => ({ body: { items: inPool ? [item] : [], next_cursor: null } }),
      'GET /api/v1/users': [
        { id: 3, display_name: '张伟', username: 'zhangwei', role: 'account_manager', is_active: true },
        { id: 7, display_name: '王经理', username: 'wang', role: 'account_manager', is_active: true },
        { id: 8, display_name: '客服小张', username: 'zhang', role: 'agent', is_active: true },
      ],
      'GET /api/v1/industries': [],
      'GET /api/v1/customers/42': { ...item, owner_id: null, version: 4 },
      'PATCH /api/v1/customers/42': () => {
        inPool = false;
        return { body: { ...item, owner_id: 7, version: 5 } };
      },
    });
    renderAt('/pool', '/pool', <PoolPage />);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('assign-42'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('将「杭州公海测试有限公司」分配给')).toBeTruthy();
    const ok = within(dialog).getByRole('button', { name: /确\s*定/ });
    expect(ok.hasAttribute('disabled')).toBe(true);
    await user.click(within(dialog).getByRole('combobox'));
    await waitFor(() => expect(selectOption('王经理')).toBeTruthy());
    expect(selectOption('客服小张')).toBeUndefined(); // agents own no customers
    await user.click(selectOption('王经理'));
    await waitFor(() => expect(ok.hasAttribute('disabled')).toBe(false));
    await user.click(ok);
    expect(await screen.findByText('已分配给 王经理')).toBeTruthy();
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((c) => [c.path, c.body, c.headers.get('if-match')])).toEqual([['/api/v1/customers/42', { owner_id: 7 }, '"4"']]);
    expect(await screen.findByText('公海里暂时没有客户')).toBeTruthy();
    expect(screen.queryByText('杭州公海测试有限公司')).toBeNull();
  });

  it('offers no assignment to an account manager', async () => {
    stubApi({
      'GET /api/v1/pool': { items: [item], next_cursor: null },
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
    });
    renderAt('/pool', '/pool', <PoolPage />, {
      sub: '3',
      role: 'account_manager',
      scope: 'customers:read customers:write users:read notifications',
    });
    expect(await screen.findByTestId('claim-42')).toBeTruthy();
    expect(screen.queryByTestId('assign-42')).toBeNull();
  });

  it('filters by name and offers no claim to a supervisor', async () => {
    const calls = stubApi({
      'GET /api/v1/pool': { items: [item], next_cursor: null },
      'GET /api/v1/users': [],
      'GET /api/v1/industries': [],
    });
    renderAt('/pool', '/pool', <PoolPage />, {
      role: 'supervisor',
      scope: 'customers:read tickets:read tickets:write users:read notifications',
    });
    expect(await screen.findByText('杭州公海测试有限公司')).toBeTruthy();
    expect(screen.queryByTestId('claim-42')).toBeNull();
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByPlaceholderText('名称'), '杭州{Enter}');
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/pool' && c.search.get('name') === '杭州')).toBe(true));
  });
});
