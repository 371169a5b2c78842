// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../api/client';
import { renderAt, stubApi } from '../../test/harness';
import { OrdersTab } from './OrdersTab';

const customer = { id: 3, owner_id: 1, archived: false } as Schemas['CustomerOut'];

describe('the orders tab', () => {
  it('shows amounts grouped in yuan (exact, from the API’s string) and sends the typed amount as a string', async () => {
    const calls = stubApi({
      'GET /api/v1/customers/3/orders': {
        items: [
          {
            id: 1,
            customer_id: 3,
            order_no: 'O202611000001',
            contract_no: null,
            product: '维保服务',
            amount: '0.10',
            ordered_on: '2026-11-01',
            status: 'confirmed',
            opportunity_id: null,
            created_by: 1,
            version: 1,
            created_at: '2026-11-01T00:00:00Z',
            updated_at: '2026-11-01T00:00:00Z',
          },
          {
            id: 2,
            customer_id: 3,
            order_no: 'O202611000002',
            contract_no: null,
            product: '设备',
            amount: '50000',
            ordered_on: '2026-11-02',
            status: 'confirmed',
            opportunity_id: null,
            created_by: 1,
            version: 1,
            created_at: '2026-11-02T00:00:00Z',
            updated_at: '2026-11-02T00:00:00Z',
          },
        ],
        next_cursor: null,
      },
      'POST /api/v1/customers/3/orders': { id: 2 },
    });
    renderAt('/c', '/c', <OrdersTab customer={customer} />);
    expect(await screen.findByText('¥0.10')).toBeTruthy();
    expect(screen.getByText('¥50,000.00')).toBeTruthy();
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('add-order'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByRole('textbox', { name: '产品/服务' }), '设备');
    await user.type(within(dialog).getByRole('textbox', { name: '金额（元）' }), '12800.10');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
        product: '设备',
        amount: '12800.10',
        status: 'confirmed',
        order_no: null,
        contract_no: null,
      }),
    );
  });
});
