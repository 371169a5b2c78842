// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import TicketDetailPage from './TicketDetailPage';
import TicketListPage from './TicketListPage';

const clock = { due_at: '2030-10-08T02:00:05Z', elapsed_minutes: 1, remaining_minutes: 100, state: 'ok' };
const ticket = (fields: Record<string, unknown>) => ({
  id: 11,
  code: 'T202612060001',
  customer_id: 9,
  contact_id: null,
  type: 'complaint',
  channel: 'phone',
  title: '设备死机',
  description: null,
  urgent: false,
  important: false,
  priority: 'P4',
  status: 'new',
  department_id: 2,
  assignee_id: null,
  collaborator_user_ids: [],
  collaborator_department_ids: [],
  expected_resolution_at: null,
  opened_at: '2026-12-06T01:00:00Z',
  first_response_at: null,
  resolved_at: null,
  closed_at: null,
  root_cause: null,
  responsible_party: null,
  remedy: null,
  revisit_at: null,
  customer_accepted: null,
  satisfaction: null,
  sla: { calendar: 'business', first_response: clock, resolution: clock, update: clock },
  allowed_transitions: ['assigned', 'cancelled'],
  version: 1,
  created_at: '2026-12-06T01:00:00Z',
  updated_at: '2026-12-06T01:00:00Z',
  ...fields,
});
const common = {
  'GET /api/v1/customers/9': { id: 9, name: '上海样例' },
  'GET /api/v1/customers/9/contacts': [],
  'GET /api/v1/tickets/11/timeline': [],
  'GET /api/v1/tickets/11/attachments': [],
  'GET /api/v1/users': [],
  'GET /api/v1/departments': [
    { id: 2, name: '售后部', key: 'after_sales' },
    { id: 3, name: '技术部', key: 'tech' },
  ],
  'GET /api/v1/tickets/assignees': [
    { user_id: 5, display_name: '王客服', department_id: 2, role: 'agent', open_tickets: 3 },
    { user_id: 6, display_name: '李工', department_id: 3, role: 'agent', open_tickets: 0 },
  ],
};

describe('ticket actions', () => {
  it('offers a new ticket 分派 (not "to assigned"), and the picker groups people by department with their load', async () => {
    const calls = stubApi({
      ...common,
      'GET /api/v1/tickets/11': ticket({}),
      'POST /api/v1/tickets/11/assign': ticket({ status: 'assigned', assignee_id: 6 }),
    });
    renderAt('/tickets/11', '/tickets/:id', <TicketDetailPage />);
    const assign = await screen.findByTestId('assign-ticket');
    expect(assign.textContent).toBe('分派');
    expect(screen.queryByTestId('transition-assigned')).toBeNull();
    expect(screen.getByTestId('transition-cancelled').textContent).toBe('取消工单');
    expect(screen.queryByText(/转为/)).toBeNull();
    const user = userEvent.setup({ delay: null });
    await user.click(assign);
    await user.click(within(await screen.findByTestId('assignee-picker')).getByRole('combobox'));
    const groups = async () => [...document.querySelectorAll('.ant-select-item-group')].map((g) => g.textContent);
    await waitFor(async () => expect(await groups()).toEqual(['售后部', '技术部']));
    await user.click(screen.getByText('李工（客服 · 0 个未结）'));
    await user.click(screen.getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ assignee_id: 6, note: null }));
  });

  it('names each allowed move as an action and shows no other', async () => {
    stubApi({
      ...common,
      'GET /api/v1/tickets/11': ticket({
        status: 'in_progress',
        assignee_id: 1,
        allowed_transitions: ['waiting_customer', 'resolved', 'cancelled'],
      }),
    });
    renderAt('/tickets/11', '/tickets/:id', <TicketDetailPage />);
    expect((await screen.findByTestId('transition-resolved')).textContent).toBe('标记已解决');
    expect(screen.getByTestId('transition-waiting_customer').textContent).toBe('等待客户回复');
    expect(screen.queryByTestId('transition-closed')).toBeNull();
    expect(screen.getByTestId('assign-ticket').textContent).toBe('转派');
  });

  it('lists the tickets assigned to me in one click', async () => {
    const calls = stubApi({
      'GET /api/v1/tickets': { items: [], next_cursor: null },
      'GET /api/v1/users': [],
      'GET /api/v1/departments': [],
    });
    renderAt('/tickets', '/tickets', <TicketListPage />, {
      sub: '7',
      role: 'agent',
      scope: 'customers:read tickets:read tickets:write users:read notifications',
    });
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('assigned-to-me'));
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/tickets' && c.search.get('assignee_id') === '7')).toBe(true));
    expect(screen.getByTestId('assigned-to-me').getAttribute('aria-pressed')).toBe('true');
  });
});
