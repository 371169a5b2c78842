// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
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
