// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import '../../i18n';
import { CustomerCards } from '../customers/CustomerCards';
import { TicketTable } from './TicketTable';

/** A 390 px wide screen: antd's breakpoints see a phone. */
function phone() {
  vi.stubGlobal('matchMedia', (query: string) => {
    const min = query.match(/min-width:\s*(\d+)/);
    const max = query.match(/max-width:\s*(\d+)/);
    const matches = (!min || 390 >= Number(min[1])) && (!max || 390 <= Number(max[1]));
    return {
      matches,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    };
  });
  vi.stubGlobal('fetch', async () => new Response('[]', { status: 200, headers: { 'Content-Type': 'application/json' } }));
}

const clock = { due_at: '2030-10-08T02:00:05Z', elapsed_minutes: 1, remaining_minutes: 100, state: 'ok' };
const ticket = {
  id: 11,
  code: 'T202612060001',
  customer_id: 9,
  title: '设备死机',
  status: 'assigned',
  priority: 'P2',
  type: 'complaint',
  assignee_id: null,
  created_at: '2026-12-06T01:00:00Z',
  sla: { calendar: 'business', first_response: clock, resolution: clock, update: clock },
};

function show(element: ReactElement) {
  const client = new QueryClient();
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={createMemoryRouter([{ path: '/', element }])} />
    </QueryClientProvider>,
  );
}

describe('lists on a phone', () => {
  beforeEach(phone);

  it('shows tickets as cards with their code as a link, no table', () => {
    show(<TicketTable tickets={[ticket as never]} fetchedAt={Date.now()} showCustomer={false} />);
    expect(screen.getByTestId('ticket-cards')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'T202612060001' }).getAttribute('href')).toBe('/tickets/11');
    expect(screen.getByText('投诉 · — · 2026-12-06 09:00')).toBeTruthy();
    expect(document.querySelector('table')).toBeNull();
  });

  it('offers a call to the customer’s primary contact on a ticket’s card', async () => {
    vi.stubGlobal('fetch', async (request: Request) =>
      Response.json(
        new URL(request.url).pathname === '/api/v1/customers/9'
          ? { id: 9, name: '华东机电', primary_contact: { id: 5, name: '王经理', mobile: '+8613800138000', phone: null, email: null } }
          : [],
      ),
    );
    show(<TicketTable tickets={[ticket as never]} fetchedAt={Date.now()} />);
    const call = await screen.findByTestId('call-customer');
    expect(call.getAttribute('href')).toBe('tel:+8613800138000');
    expect(call.textContent).toContain('138 0013 8000');
    expect(screen.getByRole('link', { name: '华东机电' }).getAttribute('href')).toBe('/customers/9');
  });

  it('shows customers as cards', () => {
    show(
      <CustomerCards
        customers={[
          { id: 3, name: '上海云帆', code: 'C202612000003', stage: 'intent', grade: 'A', owner_id: null, last_contact_at: null } as never,
        ]}
      />,
    );
    expect(screen.getByRole('link', { name: '上海云帆' }).getAttribute('href')).toBe('/customers/3');
    expect(screen.getByText('公海')).toBeTruthy();
    expect(document.querySelector('table')).toBeNull();
  });
});
