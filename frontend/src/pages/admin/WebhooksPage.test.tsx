// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, type Call } from '../../test/harness';
import WebhooksPage from './WebhooksPage';

const SECRET = 'whsec_q8Vt3kX0bN7mR2pL5sW9yA1cE4gH6jK8zQ0uI3oP5rT';
const hook = (over: Record<string, unknown> = {}) => ({
  id: 1,
  url: 'https://erp.example.com/hooks/crm',
  event_types: ['customer.created', 'order.created'],
  active: true,
  status: 'ok',
  created_by: 1,
  created_at: '2026-11-20T00:00:00Z',
  updated_at: '2026-11-20T00:00:00Z',
  version: 1,
  ...over,
});
const delivery = (over: Record<string, unknown> = {}) => ({
  id: 7,
  subscription_id: 1,
  event_id: '3f2b8c1e-4d5a-4b6c-8e9f-0a1b2c3d4e5f',
  event_type: 'customer.created',
  state: 'failed',
  attempts: 12,
  next_attempt_at: '2026-11-21T00:00:00Z',
  last_status_code: 503,
  last_error: 'HTTP 503',
  last_attempt_at: '2026-11-21T00:00:00Z',
  delivered_at: null,
  created_at: '2026-11-20T00:00:00Z',
  ...over,
});

function setup(handlers: Record<string, unknown> = {}) {
  const calls = stubApi({
    'GET /api/v1/webhooks': [
      hook(),
      hook({ id: 2, url: 'https://ops.example.com/in', event_types: ['ticket.status_changed', 'ticket.sla_breached'], status: 'failing' }),
      hook({ id: 3, url: 'https://old.example.com/x', event_types: ['follow_up.created'], active: false }),
    ],
    'GET /api/v1/webhooks/1/deliveries': (call: Call) =>
      call.search.get('cursor') === 'c2'
        ? {
            body: {
              items: [
                delivery({ id: 5, event_type: 'order.created', state: 'delivered', attempts: 1, last_status_code: 200, last_error: null }),
              ],
              next_cursor: null,
            },
          }
        : { body: { items: [delivery()], next_cursor: call.search.get('limit') === '1' ? 'c1' : 'c2' } },
    'GET /api/v1/webhooks/2/deliveries': {
      items: [
        delivery({
          id: 8,
          subscription_id: 2,
          event_type: 'ticket.sla_breached',
          state: 'pending',
          attempts: 3,
          last_status_code: null,
          last_error: 'ConnectError: refused',
        }),
      ],
      next_cursor: null,
    },
    'GET /api/v1/webhooks/3/deliveries': { items: [], next_cursor: null },
    ...handlers,
  });
  renderAt('/admin/webhooks', '/admin/webhooks', <WebhooksPage />);
  return { calls, user: userEvent.setup({ delay: null }) };
}

const posts = (calls: Call[], path: string) => calls.filter((c) => c.method === 'POST' && c.path === path);
const rowOf = (text: string) => screen.getByText(text).closest('tr') as HTMLElement;

describe('the webhooks screen', () => {
  it('lists subscriptions with their events in Chinese, their state and their last delivery', async () => {
    setup();
    expect(await screen.findByText('https://erp.example.com/hooks/crm')).toBeTruthy();
    const erp = rowOf('https://erp.example.com/hooks/crm');
    expect(within(erp).getByText('新建客户')).toBeTruthy();
    expect(within(erp).getByText('新建订单')).toBeTruthy();
    expect(within(erp).getByText('正常')).toBeTruthy();
    expect(await within(erp).findByText('503')).toBeTruthy();
    const ops = rowOf('https://ops.example.com/in');
    expect(within(ops).getByText('工单状态变更')).toBeTruthy();
    expect(within(ops).getByText('工单 SLA 超时')).toBeTruthy();
    expect(within(ops).getByText('失败中')).toBeTruthy();
    expect(await within(ops).findByText('无法连接接收方')).toBeTruthy();
    const old = rowOf('https://old.example.com/x');
    expect(within(old).getByText('已停用')).toBeTruthy();
    expect(within(old).getByRole('button', { name: /启用/ })).toBeTruthy();
    expect(await within(old).findByText('尚无投递')).toBeTruthy();
    // No event key is shown as it is.
    expect(document.body.textContent).not.toMatch(/customer\.created|order\.created|ticket\.\w+|follow_up/);
  });

  it('subscribes a URL to the events ticked, and shows the signing secret once', async () => {
    const { calls, user } = setup({
      'POST /api/v1/webhooks': () => ({
        status: 201,
        body: {
          webhook: hook({ id: 4, url: 'https://bi.example.com/crm', event_types: ['customer.updated', 'order.created'] }),
          secret: SECRET,
        },
      }),
    });
    await user.click(await screen.findByTestId('new-webhook'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('webhook-url'), 'https://bi.example.com/crm');
    await user.click(within(dialog).getByRole('checkbox', { name: '新建订单' }));
    await user.click(within(dialog).getByRole('checkbox', { name: '客户变更' }));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(posts(calls, '/api/v1/webhooks')).toHaveLength(1));
    expect(posts(calls, '/api/v1/webhooks')[0]?.body).toEqual({
      url: 'https://bi.example.com/crm',
      event_types: ['customer.updated', 'order.created'],
      active: true,
    });
    expect((await screen.findByTestId('webhook-secret')).textContent).toBe(SECRET);
    expect(screen.getByText('签名密钥只显示这一次')).toBeTruthy();
    expect(screen.getByTestId('signature-help').textContent).toMatch(/X-CRM-Signature.*HMAC-SHA256/);
    await user.click(screen.getByTestId('close-secret'));
    await waitFor(() => expect(screen.queryByTestId('webhook-secret')).toBeNull());
    expect(document.body.textContent).not.toContain(SECRET);
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/webhooks').length).toBeGreaterThan(1));
  });

  it('needs a URL and at least one event before any request', async () => {
    const { calls, user } = setup();
    await user.click(await screen.findByTestId('new-webhook'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(within(dialog).getAllByText('必填')).toHaveLength(2)); // the URL and the events
    expect(posts(calls, '/api/v1/webhooks')).toHaveLength(0);
  });

  it('shows the server’s refusal of a private address next to the URL, in Chinese', async () => {
    const { user } = setup({
      'POST /api/v1/webhooks': () => ({
        status: 422,
        body: {
          type: '/problems/invalid',
          title: 'Invalid',
          status: 422,
          code: 'invalid',
          detail: 'invalid',
          errors: [{ field: 'url', message: 'resolves to a private or reserved address' }],
        },
      }),
    });
    await user.click(await screen.findByTestId('new-webhook'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('webhook-url'), 'http://10.0.0.5/hook');
    await user.click(within(dialog).getByRole('checkbox', { name: '新建客户' }));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await within(dialog).findByText('不允许内网、本机或保留地址')).toBeTruthy();
    expect(screen.queryByTestId('webhook-secret')).toBeNull();
  });

  it('edits the URL and events, and pauses a subscription', async () => {
    const { calls, user } = setup({ 'PATCH /api/v1/webhooks/1': hook({ version: 2 }) });
    await screen.findByText('https://erp.example.com/hooks/crm');
    await user.click(within(rowOf('https://erp.example.com/hooks/crm')).getByTestId('webhook-edit'));
    const dialog = await screen.findByRole('dialog');
    expect((within(dialog).getByRole('checkbox', { name: '新建客户' }) as HTMLInputElement).checked).toBe(true);
    await user.click(within(dialog).getByRole('checkbox', { name: '删除客户' }));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    const patches = () => calls.filter((c) => c.method === 'PATCH' && c.path === '/api/v1/webhooks/1');
    await waitFor(() => expect(patches()).toHaveLength(1));
    expect(patches()[0]?.body).toEqual({
      url: 'https://erp.example.com/hooks/crm',
      event_types: ['customer.created', 'customer.deleted', 'order.created'],
    });
    await user.click(within(rowOf('https://erp.example.com/hooks/crm')).getByTestId('webhook-toggle'));
    await waitFor(() => expect(patches()).toHaveLength(2));
    expect(patches()[1]?.body).toEqual({ active: false });
  });

  it('sends a test and opens the delivery log, where a delivery is sent again', async () => {
    const { calls, user } = setup({
      'POST /api/v1/webhooks/1/test': () => ({ status: 202, body: delivery({ id: 9, event_type: 'ping', state: 'pending', attempts: 0 }) }),
      'POST /api/v1/webhooks/deliveries/7/redeliver': delivery({ state: 'pending' }),
    });
    await screen.findByText('https://erp.example.com/hooks/crm');
    await user.click(within(rowOf('https://erp.example.com/hooks/crm')).getByTestId('webhook-test'));
    await waitFor(() => expect(posts(calls, '/api/v1/webhooks/1/test')).toHaveLength(1));
    expect(await screen.findByText('测试事件已排队，一分钟内发送，结果见投递记录')).toBeTruthy();
    const drawer = await screen.findByRole('dialog');
    expect(within(drawer).getByText('投递记录')).toBeTruthy();
    const row = (await within(drawer).findByText('3f2b8c1e…')).closest('tr') as HTMLElement;
    expect(within(row).getByText('新建客户')).toBeTruthy();
    expect(within(row).getByText('已失败')).toBeTruthy();
    expect(within(row).getByText('12 次')).toBeTruthy();
    expect(within(row).getByText('503')).toBeTruthy();
    await user.click(within(row).getByRole('button', { name: /重新投递/ }));
    await waitFor(() => expect(posts(calls, '/api/v1/webhooks/deliveries/7/redeliver')).toHaveLength(1));
    expect(posts(calls, '/api/v1/webhooks/deliveries/7/redeliver')[0]?.body).toBeUndefined();
    expect(await screen.findByText('已重新排队，一分钟内发送')).toBeTruthy();
  });

  it('pages through the delivery log with the server’s cursor', async () => {
    const { calls, user } = setup();
    await screen.findByText('https://erp.example.com/hooks/crm');
    await user.click(within(rowOf('https://erp.example.com/hooks/crm')).getByTestId('webhook-deliveries'));
    const drawer = await screen.findByRole('dialog');
    await within(drawer).findByText('3f2b8c1e…');
    await user.click(within(drawer).getByRole('button', { name: /加载更多/ }));
    expect(await within(drawer).findByText('新建订单')).toBeTruthy();
    expect(within(drawer).getByText('已送达')).toBeTruthy();
    const asked = calls.filter((c) => c.path === '/api/v1/webhooks/1/deliveries' && c.search.get('cursor') === 'c2');
    expect(asked).toHaveLength(1);
    expect(within(drawer).queryByRole('button', { name: /加载更多/ })).toBeNull();
  });

  it('deletes only after confirming', async () => {
    const { calls, user } = setup({ 'DELETE /api/v1/webhooks/3': null });
    await screen.findByText('https://old.example.com/x');
    await user.click(within(rowOf('https://old.example.com/x')).getByTestId('webhook-delete'));
    const confirm = await screen.findByRole('tooltip');
    expect(within(confirm).getByText('删除此订阅？')).toBeTruthy();
    const deletes = () => calls.filter((c) => c.method === 'DELETE' && c.path === '/api/v1/webhooks/3');
    expect(deletes()).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: /删\s*除/ }));
    await waitFor(() => expect(deletes()).toHaveLength(1));
    expect(await screen.findByText('订阅已删除')).toBeTruthy();
  });
});
