// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import DepartmentsPage from './DepartmentsPage';

const rule = (ticket_type: string, department_id: number, is_default: boolean) => ({
  ticket_type,
  department_id,
  department_key: department_id === 1 ? 'service' : 'tech',
  department_name: department_id === 1 ? '客服部' : '技术部',
  is_default,
});

describe('the routing rules', () => {
  it('resets a rule to the default only once the admin confirms', async () => {
    const calls = stubApi({
      'GET /api/v1/departments': [
        { id: 1, key: 'service', name: '客服部', supervisor_id: null, version: 1 },
        { id: 2, key: 'tech', name: '技术部', supervisor_id: null, version: 1 },
      ],
      'GET /api/v1/users': [],
      'GET /api/v1/routing-rules': [rule('complaint', 1, true), rule('technical_consult', 2, false)],
      'DELETE /api/v1/routing-rules/technical_consult': null,
    });
    renderAt('/admin/departments', '/admin/departments', <DepartmentsPage />);
    const user = userEvent.setup({ delay: null });
    const row = (await screen.findByText('技术咨询')).closest('tr') as HTMLElement;
    expect(within(screen.getByText('投诉').closest('tr') as HTMLElement).queryByText('恢复默认')).toBeNull();

    await user.click(within(row).getByRole('button', { name: '恢复默认' }));
    const confirm = await screen.findByText('「技术咨询」工单将恢复按默认规则分派，确定吗？');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false); // asked first
    const popconfirm = confirm.closest('.ant-popconfirm') as HTMLElement;
    await user.click(within(popconfirm).getByRole('button', { name: /取\s*消/ }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);

    await user.click(within(row).getByRole('button', { name: '恢复默认' }));
    await user.click(
      within(document.querySelector('.ant-popconfirm:not(.ant-popover-hidden)') as HTMLElement).getByRole('button', { name: '恢复默认' }),
    );
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/v1/routing-rules/technical_consult']),
    );
  });
});
