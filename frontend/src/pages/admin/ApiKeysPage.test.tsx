// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, type Call } from '../../test/harness';
import ApiKeysPage from './ApiKeysPage';

const SECRET = 'crm_live_Ab3xYz12Qw9k_9Yq0ZrB1mS2nT3uV4wX5yZ6aB7cD8eF9gH0iJ1kL2mN';
const key = (over: Record<string, unknown> = {}) => ({
  id: 1,
  name: 'ERP 同步',
  prefix: 'crm_live_Ab3xYz12Qw9k',
  scopes: ['customers:read', 'customers:write'],
  owner_id: 3,
  expires_at: null,
  allowed_ips: [],
  rate_limit_per_minute: 600,
  status: 'active',
  created_by: 1,
  created_at: '2026-11-20T00:00:00Z',
  last_used_at: null,
  rotated_at: null,
  previous_valid_until: null,
  revoked_at: null,
  version: 1,
  ...over,
});
const users = [
  { id: 1, username: 'admin', display_name: '系统管理员', role: 'admin', department_id: null, is_active: true, version: 1 },
  { id: 3, username: 'zhangwei', display_name: '张伟', role: 'account_manager', department_id: null, is_active: true, version: 1 },
];

function setup(handlers: Record<string, unknown> = {}) {
  const calls = stubApi({
    'GET /api/v1/api-keys': [
      key(),
      key({
        id: 2,
        name: '旧呼叫中心',
        prefix: 'crm_live_Zz9yXw8vUt7s',
        owner_id: null,
        scopes: ['tickets:read'],
        status: 'revoked',
        revoked_at: '2026-11-21T00:00:00Z',
        last_used_at: '2026-11-20T08:00:00Z',
      }),
    ],
    'GET /api/v1/users': users,
    ...handlers,
  });
  renderAt('/admin/api-keys', '/admin/api-keys', <ApiKeysPage />);
  return { calls, user: userEvent.setup({ delay: null }) };
}

const posts = (calls: Call[], path: string) => calls.filter((c) => c.method === 'POST' && c.path === path);
const rowOf = (name: string) => screen.getByText(name).closest('tr') as HTMLElement;

describe('the API keys screen', () => {
  it('lists keys with translated scopes, who they act as, their status, and revoked ones greyed', async () => {
    setup();
    expect(await screen.findByText('ERP 同步')).toBeTruthy();
    const erp = rowOf('ERP 同步');
    expect(within(erp).getByText('读取客户')).toBeTruthy();
    expect(within(erp).getByText('写入客户')).toBeTruthy();
    expect(within(erp).getByText('张伟')).toBeTruthy();
    expect(within(erp).getByText('有效')).toBeTruthy();
    expect(within(erp).getByText('从未使用')).toBeTruthy();
    expect(within(erp).getByText('永不过期')).toBeTruthy();
    expect(within(erp).getByText('600 次/分钟')).toBeTruthy();
    expect(within(erp).getByText('crm_live_Ab3xYz12Qw9k…')).toBeTruthy();
    const old = rowOf('旧呼叫中心');
    expect(within(old).getByText('系统管理员')).toBeTruthy();
    expect(within(old).getByText('创建者身份')).toBeTruthy();
    expect(within(old).getByText('已吊销')).toBeTruthy();
    expect(old.getAttribute('data-status')).toBe('revoked');
    expect(old.style.opacity).toBe('0.5');
    expect(within(old).queryByRole('button', { name: /吊销|轮换/ })).toBeNull();
  });

  it('creates a key and shows its secret once, gone after closing', async () => {
    const { calls, user } = setup({
      'POST /api/v1/api-keys': () => ({ status: 201, body: { key: key({ id: 3, name: '数据仓库' }), secret: SECRET } }),
    });
    await user.click(await screen.findByTestId('new-api-key'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('api-key-name'), '数据仓库');
    await user.click(within(dialog).getByRole('checkbox', { name: '读取客户' }));
    await user.click(within(dialog).getByRole('checkbox', { name: '读取工单' }));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(posts(calls, '/api/v1/api-keys')).toHaveLength(1));
    expect(posts(calls, '/api/v1/api-keys')[0]?.body).toEqual({
      name: '数据仓库',
      scopes: ['customers:read', 'tickets:read'],
      owner_id: null,
      expires_at: null,
      allowed_ips: [],
      rate_limit_per_minute: 600,
    });
    expect((await screen.findByTestId('api-key-secret')).textContent).toBe(SECRET);
    expect(screen.getByText('完整密钥只显示这一次')).toBeTruthy();
    expect(screen.getByText(/X-API-Key/, { selector: 'pre' })).toBeTruthy();
    await user.click(screen.getByTestId('close-secret'));
    await waitFor(() => expect(screen.queryByTestId('api-key-secret')).toBeNull());
    expect(document.body.textContent).not.toContain(SECRET);
    // The list is asked again for the new key.
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/api-keys').length).toBeGreaterThan(1));
  });

  it('copies the secret, and selects it for the user when there is no clipboard', async () => {
    const { user } = setup({
      'POST /api/v1/api-keys/1/rotate': { key: key({ previous_valid_until: '2026-11-21T00:00:00Z', version: 2 }), secret: SECRET },
    });
    await screen.findByText('ERP 同步');
    await user.click(within(rowOf('ERP 同步')).getByRole('button', { name: /轮换/ }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: /确\s*定/ }));
    await user.click(await screen.findByTestId('copy-secret'));
    expect(await screen.findByText('已复制到剪贴板')).toBeTruthy();
    expect(await navigator.clipboard.readText()).toBe(SECRET); // user-event's clipboard
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }); // plain HTTP
    await user.click(screen.getByTestId('copy-secret'));
    expect(await screen.findByText(/无法自动复制/)).toBeTruthy();
    expect(window.getSelection()?.toString()).toBe(SECRET);
  });

  it('rotates with a grace period, showing the new secret and until when the old one works', async () => {
    const { calls, user } = setup({
      'POST /api/v1/api-keys/1/rotate': {
        key: key({ rotated_at: '2026-11-20T00:00:00Z', previous_valid_until: '2026-11-21T02:00:00Z', version: 2 }),
        secret: SECRET,
      },
    });
    await screen.findByText('ERP 同步');
    await user.click(within(rowOf('ERP 同步')).getByRole('button', { name: /轮换/ }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/旧密钥在宽限期内仍可使用/)).toBeTruthy();
    const hours = within(dialog).getByTestId('grace-hours');
    expect((hours as HTMLInputElement).value).toBe('24');
    await user.clear(hours);
    await user.type(hours, '2');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(posts(calls, '/api/v1/api-keys/1/rotate')[0]?.body).toEqual({ grace_hours: 2 }));
    expect((await screen.findByTestId('api-key-secret')).textContent).toBe(SECRET);
    expect(screen.getByText('密钥已轮换')).toBeTruthy();
    expect(screen.getByText('旧密钥在 2026-11-21 10:00 前仍然有效。')).toBeTruthy();
    await user.click(screen.getByTestId('close-secret'));
    await waitFor(() => expect(screen.queryByTestId('api-key-secret')).toBeNull());
  });

  it('revokes only after confirming', async () => {
    const { calls, user } = setup({ 'POST /api/v1/api-keys/1/revoke': key({ status: 'revoked', revoked_at: '2026-11-22T00:00:00Z' }) });
    await screen.findByText('ERP 同步');
    await user.click(within(rowOf('ERP 同步')).getByRole('button', { name: /吊销/ }));
    const confirm = await screen.findByRole('tooltip');
    expect(within(confirm).getByText('吊销密钥「ERP 同步」？')).toBeTruthy();
    expect(posts(calls, '/api/v1/api-keys/1/revoke')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: /吊\s*销/ }));
    await waitFor(() => expect(posts(calls, '/api/v1/api-keys/1/revoke')).toHaveLength(1));
    expect(await screen.findByText('密钥已吊销')).toBeTruthy();
  });

  it('shows the server’s 422 next to its field, in Chinese', async () => {
    const { calls, user } = setup({
      'POST /api/v1/api-keys': (call: Call) => {
        const body = call.body as { allowed_ips: string[] };
        const errors = body.allowed_ips.length
          ? [{ field: 'allowed_ips.0', message: 'not an IP address or network' }]
          : [{ field: 'scopes', message: "beyond the owner's role: users:admin" }];
        return {
          status: 422,
          body: { type: '/problems/validation', title: 'Validation', status: 422, code: 'validation', detail: 'invalid', errors },
        };
      },
    });
    await user.click(await screen.findByTestId('new-api-key'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('api-key-name'), '报表');
    await user.click(within(dialog).getByRole('checkbox', { name: '管理用户' }));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await within(dialog).findByText('超出代表用户角色的权限：管理用户')).toBeTruthy();
    expect(screen.queryByTestId('api-key-secret')).toBeNull();
    expect(posts(calls, '/api/v1/api-keys')).toHaveLength(1);
  });

  it('refuses a malformed allow-list entry before any request', async () => {
    const { calls, user } = setup();
    await user.click(await screen.findByTestId('new-api-key'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('api-key-name'), '报表');
    await user.click(within(dialog).getByRole('checkbox', { name: '读取客户' }));
    await user.type(within(dialog).getByRole('combobox', { name: /来源 IP/ }), '10.0.0.300{Enter}');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await within(dialog).findByText('10.0.0.300：不是有效的 IP 地址或网段')).toBeTruthy();
    expect(posts(calls, '/api/v1/api-keys')).toHaveLength(0);
  });
});
