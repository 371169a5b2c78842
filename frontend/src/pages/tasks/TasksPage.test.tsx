// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import { TaskList } from './TaskList';
import TasksPage from './TasksPage';

const task = (id: number, fields: Record<string, unknown> = {}) => ({
  id,
  owner_id: 1,
  customer_id: 9,
  kind: 'activation',
  title: '制定激活计划',
  due_on: '2020-01-02',
  done_at: null,
  version: 1,
  created_at: '2026-11-01T00:00:00Z',
  ...fields,
});
const customer = { id: 9, name: '上海样例科技有限公司' };

describe('my tasks', () => {
  it('lists open tasks with their kind, customer and overdue flag, and completes one', async () => {
    const calls = stubApi({
      'GET /api/v1/tasks': (call: { search: URLSearchParams }) => ({
        body: { items: call.search.get('done') === 'true' ? [] : [task(1)], next_cursor: null },
      }),
      'GET /api/v1/customers/9': customer,
      'GET /api/v1/users': [],
      'POST /api/v1/tasks/1/complete': task(1, { done_at: '2026-11-02T00:00:00Z' }),
    });
    renderAt('/tasks', '/tasks', <TasksPage />, {
      role: 'account_manager',
      scope: 'customers:read customers:write tickets:read tickets:write users:read notifications',
    });
    const item = await screen.findByTestId('task-item');
    expect(within(item).getByText('激活计划')).toBeTruthy(); // the kind, not the stored Chinese title
    expect(within(item).getByText('系统提醒')).toBeTruthy();
    expect(within(item).getByText('已逾期')).toBeTruthy();
    expect(await within(item).findByText('上海样例科技有限公司')).toBeTruthy();
    expect(calls.find((c) => c.path === '/api/v1/tasks')?.search.get('owner')).toBe('me');
    expect(calls.find((c) => c.path === '/api/v1/tasks')?.search.get('done')).toBe('false');
    const user = userEvent.setup({ delay: null });
    await user.click(within(item).getByTestId('complete-task-1'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/tasks/1/complete')).toBe(true));
  });

  it('adds a task for the customer it is shown on', async () => {
    const calls = stubApi({
      'GET /api/v1/tasks': { items: [], next_cursor: null },
      'GET /api/v1/users': [],
      'POST /api/v1/tasks': { ...task(2), kind: 'manual' },
    });
    renderAt('/c', '/c', <TaskList customerId={9} customerOwnerId={1} />, {
      role: 'account_manager',
      scope: 'customers:read customers:write users:read',
    });
    expect(await screen.findByText('没有任务')).toBeTruthy();
    expect(calls.find((c) => c.path === '/api/v1/tasks')?.search.get('customer_id')).toBe('9');
    expect(calls.find((c) => c.path === '/api/v1/tasks')?.search.get('owner')).toBeNull();
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('add-task'));
    await user.click(await screen.findByRole('button', { name: 'OK' }).catch(() => screen.getByRole('button', { name: /确\s*定/ })));
    expect(await screen.findByText('必填')).toBeTruthy(); // checked before the round trip
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.type(screen.getByTestId('task-title'), '寄送报价单');
    await user.click(screen.getByRole('button', { name: /确\s*定/ }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ title: '寄送报价单', customer_id: 9, owner_id: null }),
    );
  });

  it('opens the new-task dialog when the URL asks for a new one (the quick action), then drops the parameter', async () => {
    stubApi({ 'GET /api/v1/tasks': { items: [], next_cursor: null }, 'GET /api/v1/users': [] });
    const router = renderAt('/customers/9?tab=tasks&new=1', '/customers/:id', <TaskList customerId={9} customerOwnerId={1} />, {
      role: 'account_manager',
      scope: 'customers:read customers:write users:read',
    });
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('新建任务')).toBeTruthy();
    expect(within(dialog).getByTestId('task-title')).toBeTruthy();
    await waitFor(() => expect(router.state.location.search).toBe('?tab=tasks'));
  });

  it('opens no dialog without the parameter', async () => {
    stubApi({ 'GET /api/v1/tasks': { items: [], next_cursor: null }, 'GET /api/v1/users': [] });
    renderAt('/customers/9?tab=tasks', '/customers/:id', <TaskList customerId={9} customerOwnerId={1} />, {
      role: 'account_manager',
      scope: 'customers:read customers:write users:read',
    });
    expect(await screen.findByText('没有任务')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
