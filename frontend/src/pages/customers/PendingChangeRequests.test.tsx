// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../api/client';
import { renderAt, stubApi } from '../../test/harness';
import { PendingChangeRequests } from './PendingChangeRequests';

const request = (over: Partial<Schemas['ChangeRequestOut']>): Schemas['ChangeRequestOut'] => ({
  id: 11,
  customer_id: 3,
  customer_code: 'C202612000001',
  customer_name: '上海云帆科技有限公司',
  field: 'name',
  old_value: '上海云帆科技有限公司',
  new_value: '上海云帆智能科技有限公司',
  status: 'pending',
  requested_by: 5,
  comment: null,
  decided_by: null,
  decided_at: null,
  decision_reason: null,
  masked_fields: [],
  version: 1,
  created_at: '2026-12-04T02:00:00Z',
  updated_at: '2026-12-04T02:00:00Z',
  ...over,
});
const MANAGER = { sub: '5', role: 'account_manager', scope: 'customers:read customers:write' };

describe('pending change requests on the customer page', () => {
  it('lets the requester withdraw their own request, and only theirs', async () => {
    const calls = stubApi({
      'GET /api/v1/change-requests': {
        items: [
          request({}),
          request({ id: 12, field: 'credit_code', requested_by: 7, old_value: '91310000MA1K000001', new_value: '91310000MA1K000002' }),
        ],
        next_cursor: null,
      },
      'POST /api/v1/change-requests/11/withdraw': request({ status: 'withdrawn' }),
    });
    renderAt('/c', '/c', <PendingChangeRequests customerId={3} />, MANAGER);
    const alert = await screen.findByTestId('pending-change-requests');
    expect(within(alert).getByText(/上海云帆科技有限公司 → 上海云帆智能科技有限公司/)).toBeTruthy();
    expect(within(alert).getByText(/91310000MA1K000001 → 91310000MA1K000002/)).toBeTruthy();
    const get = calls.find((c) => c.path === '/api/v1/change-requests');
    expect([get?.search.get('customer_id'), get?.search.get('status')]).toEqual(['3', 'pending']);
    expect(screen.queryByTestId('withdraw-12')).toBeNull();
    expect(screen.queryByRole('link', { name: '去审批' })).toBeNull();
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('withdraw-11'));
    await user.click(await screen.findByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/change-requests/11/withdraw')).toBe(true));
  });

  it('leads an admin to the approvals page', async () => {
    stubApi({ 'GET /api/v1/change-requests': { items: [request({})], next_cursor: null } });
    renderAt('/c', '/c', <PendingChangeRequests customerId={3} />);
    const link = await screen.findByRole('link', { name: '去审批' });
    expect(link.getAttribute('href')).toBe('/admin/change-requests');
    expect(screen.queryByTestId('withdraw-11')).toBeNull();
  });

  it('shows nothing when no change is waiting', async () => {
    const calls = stubApi({ 'GET /api/v1/change-requests': { items: [], next_cursor: null } });
    renderAt('/c', '/c', <PendingChangeRequests customerId={3} />, MANAGER);
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/change-requests')).toBe(true));
    expect(screen.queryByTestId('pending-change-requests')).toBeNull();
  });
});
