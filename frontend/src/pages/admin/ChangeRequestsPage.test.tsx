// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import ChangeRequestsPage from './ChangeRequestsPage';

const request = {
  id: 4,
  customer_id: 3,
  customer_code: 'C0003',
  customer_name: '闽江测试科技有限公司',
  field: 'name',
  old_value: '闽江测试科技有限公司',
  new_value: '闽江科技有限公司',
  status: 'pending',
  requested_by: 2,
  comment: null,
  decided_at: null,
  decided_by: null,
  decision_reason: null,
  masked_fields: [],
  version: 1,
  created_at: '2026-11-20T00:00:00Z',
  updated_at: '2026-11-20T00:00:00Z',
};

describe('the change request screen', () => {
  it('lists pending requests and rejects only with a reason', async () => {
    const calls = stubApi({
      'GET /api/v1/change-requests': { items: [request], next_cursor: null },
      'GET /api/v1/users': [],
      'POST /api/v1/change-requests/4/reject': { ...request, status: 'rejected' },
    });
    renderAt('/admin/change-requests', '/admin/change-requests', <ChangeRequestsPage />);
    expect(await screen.findByText('闽江测试科技有限公司 → 闽江科技有限公司')).toBeTruthy();
    expect(calls.find((c) => c.path === '/api/v1/change-requests')?.search.get('status')).toBe('pending');
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: '驳回' }));
    const dialog = await screen.findByRole('dialog');
    const ok = within(dialog).getByRole('button', { name: /确\s*定|OK/ });
    expect(ok.hasAttribute('disabled')).toBe(true);
    await user.type(screen.getByTestId('reject-reason'), '名称与营业执照不符');
    await user.click(ok);
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: '名称与营业执照不符' }));
  });
});
