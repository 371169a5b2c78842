// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import CadencePage from './CadencePage';

const rule = (stage: string, days: number) => ({ stage, interval_days: days, version: 1, updated_at: '2026-11-20T00:00:00Z' });

describe('the follow-up cadence screen', () => {
  it('shows every stage, saves a new interval and turns a stage off', async () => {
    const calls = stubApi({
      'GET /api/v1/cadence-rules': [rule('potential', 7), rule('intent', 3)],
      'PUT /api/v1/cadence-rules/intent': rule('intent', 5),
      'DELETE /api/v1/cadence-rules/potential': null,
    });
    renderAt('/admin/cadence', '/admin/cadence', <CadencePage />);
    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(5); // header + potential, intent, customer, lost
    const [, potential, intent, customer] = rows as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    expect(within(customer).getByText('此阶段不提醒')).toBeTruthy(); // no rule for this stage
    const user = userEvent.setup({ delay: null });
    const intentDays = within(intent).getByRole('spinbutton');
    await user.clear(intentDays);
    await user.type(intentDays, '5');
    await user.click(within(intent).getByRole('button', { name: /保\s*存/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ interval_days: 5 }));
    await user.click(within(potential).getByRole('button', { name: '不再提醒' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false); // asked first
    expect(await screen.findByText('此阶段将不再提醒跟进，确定吗？')).toBeTruthy();
    await user.click(within(document.querySelector('.ant-popconfirm') as HTMLElement).getByRole('button', { name: '不再提醒' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/cadence-rules/potential')).toBe(true));
  });
});
