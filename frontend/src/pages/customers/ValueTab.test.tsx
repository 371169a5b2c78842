// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import { ValueTab } from './ValueTab';

const band = (score: number, min: number, max: number) => ({ score, min, max, customers: 2 });
const value = {
  customer_id: 9,
  recency_days: 12,
  last_order_on: '2026-11-20',
  frequency: 4,
  monetary: '128000.00',
  scores: { recency: 4, frequency: 3, monetary: 5, total: 12 },
  value_level: 'medium',
  grade: 'A',
  grade_locked: false,
  computed_at: '2026-11-30T18:45:00Z',
  rule: 'R+F+M = 12 ≥ 10 → A (medium)',
  rules: [
    { min_total: 13, grade: 'S', value_level: 'high' },
    { min_total: 10, grade: 'A', value_level: 'medium' },
    { min_total: 7, grade: 'B', value_level: 'medium' },
    { min_total: 3, grade: 'C', value_level: 'low' },
  ],
  run: {
    as_of: '2026-12-01',
    computed_at: '2026-11-30T18:45:00Z',
    scored: 10,
    thresholds: {
      recency_days: [band(4, 5, 20)],
      frequency: [band(3, 3, 4)],
      monetary: [{ score: 5, min: '100000.00', max: '500000.00', customers: 2 }],
    },
  },
};
const customer = { id: 9, owner_id: 1, archived: false, version: 3, verified_at: null } as never;

describe('customer value and verification', () => {
  it('explains the grade in Chinese from the scores, with amounts formatted, and records a check', async () => {
    const calls = stubApi({
      'GET /api/v1/customers/9/value': value,
      'POST /api/v1/customers/9/verify': { id: 9 },
    });
    renderAt('/c', '/c', <ValueTab customer={customer} showValue />);
    expect((await screen.findByTestId('value-explain')).textContent).toBe('R + F + M = 4 + 3 + 5 = 12 分，≥ 10 分 → A 级（中价值）');
    expect(screen.getByText('¥128,000.00')).toBeTruthy();
    expect(screen.getByText('¥100,000.00 – ¥500,000.00')).toBeTruthy();
    expect(screen.queryByText(/medium|R\+F\+M/)).toBeNull(); // the server's English rule is not shown
    expect(screen.getByTestId('verified-at').textContent).toBe('从未核实');
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('verify-customer'));
    await user.type(await screen.findByPlaceholderText('核实说明（选填）'), '电话确认地址');
    await user.click(screen.getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ note: '电话确认地址' }));
  });

  it('shows no value to an agent and no verify button to a non-owner', async () => {
    stubApi({});
    renderAt('/c', '/c', <ValueTab customer={customer} showValue={false} />, {
      sub: '2',
      role: 'agent',
      scope: 'customers:read tickets:read tickets:write users:read notifications',
    });
    expect(await screen.findByText('无权查看')).toBeTruthy();
    expect(screen.queryByTestId('verify-customer')).toBeNull();
  });

  it('shows the last check’s note kept on the customer', async () => {
    stubApi({ 'GET /api/v1/customers/9/value': value });
    const checked = { ...(customer as object), verified_at: '2026-11-28T09:30:00Z', verification_note: '电话确认地址和开票信息' };
    renderAt('/c', '/c', <ValueTab customer={checked as never} showValue />);
    expect((await screen.findByTestId('verified-note')).textContent).toBe('核实说明: 电话确认地址和开票信息');
    cleanup();
    renderAt('/c', '/c', <ValueTab customer={{ ...checked, verification_note: null } as never} showValue />);
    expect(await screen.findByTestId('customer-value')).toBeTruthy();
    expect(screen.queryByTestId('verified-note')).toBeNull();
  });
});
