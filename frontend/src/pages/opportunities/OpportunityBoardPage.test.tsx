// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import OpportunityBoardPage from './OpportunityBoardPage';

const opp = {
  id: 7,
  customer_id: 3,
  customer_name: '闽江测试科技有限公司',
  owner_id: 1,
  title: '年度维保',
  budget_min: '10000.00',
  budget_max: '12800.50',
  stage: 'intent',
  lost_reason: null,
  expected_close_on: null,
  closed_at: null,
  last_effective_follow_up_at: null,
  stale: false,
  allowed_transitions: ['quote', 'lost'],
  version: 1,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
};

const drag = async (to: string) => {
  fireEvent.dragStart(await screen.findByTestId('opportunity-7'));
  fireEvent.dragOver(screen.getByTestId(`column-${to}`));
  fireEvent.drop(screen.getByTestId(`column-${to}`));
};

describe('the opportunity board', () => {
  it('refuses a stage the card cannot reach, saying which ones it can, without a round trip', async () => {
    const calls = stubApi({ 'GET /api/v1/opportunities': { items: [opp], next_cursor: null }, 'GET /api/v1/users': [] });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    expect(await screen.findByText('¥10,000.00 – ¥12,800.50')).toBeTruthy();
    await drag('won');
    expect(await screen.findByText('不能转到「赢单」，当前可转到：报价、输单')).toBeTruthy();
    expect(within(screen.getByTestId('column-intent')).queryByTestId('opportunity-7')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the server’s 409 with its allowed stages and snaps the card back', async () => {
    const calls = stubApi({
      'GET /api/v1/opportunities': { items: [opp], next_cursor: null },
      'GET /api/v1/users': [],
      'POST /api/v1/opportunities/7/transitions': () => ({
        status: 409,
        body: {
          type: '/problems/illegal-transition',
          title: 'Conflict',
          status: 409,
          code: 'illegal-transition',
          detail: 'intent → quote is not allowed',
          allowed: ['lost'],
        },
      }),
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('stage-menu-7'));
    await user.click(await screen.findByRole('menuitem', { name: '报价' }));
    expect(await screen.findByText('不能转到「报价」，当前可转到：输单')).toBeTruthy();
    await waitFor(() => expect(within(screen.getByTestId('column-intent')).queryByTestId('opportunity-7')).toBeTruthy());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ to: 'quote', reason: null });
  });

  it('asks for the reason before moving to lost', async () => {
    const calls = stubApi({
      'GET /api/v1/opportunities': { items: [opp], next_cursor: null },
      'GET /api/v1/users': [],
      'POST /api/v1/opportunities/7/transitions': { ...opp, stage: 'lost' },
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    await drag('lost');
    const user = userEvent.setup({ delay: null });
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog)
        .getByRole('button', { name: /确\s*定|OK/ })
        .hasAttribute('disabled'),
    ).toBe(true);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.type(screen.getByTestId('lost-reason'), '预算取消');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ to: 'lost', reason: '预算取消' }));
  });

  it('totals each column, forecasts by stage weight, and records the order when winning', async () => {
    const contract = { ...opp, id: 8, stage: 'contract', budget_min: null, budget_max: '50000.00', allowed_transitions: ['won', 'lost'] };
    const calls = stubApi({
      'GET /api/v1/opportunities': { items: [opp, contract], next_cursor: null },
      'GET /api/v1/users': [],
      'POST /api/v1/opportunities/8/transitions': { ...contract, stage: 'won' },
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    expect((await screen.findByTestId('total-intent')).textContent).toBe('¥12,800.50');
    expect(screen.getByTestId('total-contract').textContent).toBe('¥50,000.00');
    // 12800.50 × 20 % + 50000 × 80 % = 42560.10
    expect(screen.getByTestId('board-forecast').textContent).toContain('¥42,560.10');
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('stage-menu-8'));
    await user.click(await screen.findByRole('menuitem', { name: '赢单' }));
    const dialog = await screen.findByRole('dialog');
    expect((within(dialog).getByTestId('win-amount') as HTMLInputElement).value).toBe('50000.00');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
        to: 'won',
        order: { product: '年度维保', amount: '50000.00', contract_no: null },
      }),
    );
  });

  it('edits a card from the board, by tap as on a phone: the stage stays with the transitions', async () => {
    const calls = stubApi({
      'GET /api/v1/opportunities': { items: [opp], next_cursor: null },
      'GET /api/v1/users': [],
      'PATCH /api/v1/opportunities/7': { ...opp, budget_min: null },
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('edit-7'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByText('阶段')).toBeNull();
    await user.clear(within(dialog).getByTestId('budget-min'));
    await user.click(within(dialog).getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ budget_min: null, budget_max: '12800.50' }));
    expect(calls.find((c) => c.method === 'PATCH')?.headers.get('If-Match')).toBe('"1"');
  });
});
