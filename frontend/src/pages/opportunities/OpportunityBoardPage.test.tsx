// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, type Call } from '../../test/harness';
import type { Schemas } from '../../api/client';
import OpportunityBoardPage from './OpportunityBoardPage';

type Card = Schemas['OpportunityOut'];

const opp: Card = {
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
  external_ids: {},
  version: 1,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
};

const STAGES = ['intent', 'quote', 'contract', 'won', 'lost'] as const;

/** Each stage's count and amount (upper budget, else lower) over `cards`, as the server gives them. */
const totalsOf = (cards: readonly Card[]) =>
  STAGES.map((stage) => {
    const here = cards.filter((c) => c.stage === stage);
    const amount = here.reduce((sum, c) => sum + Number(c.budget_max ?? c.budget_min ?? 0), 0);
    return { stage, count: here.length, amount: amount.toFixed(2) };
  });

/** The cards a list request asks for: those of its `stage`s, or all (in one page). */
const listOf = (cards: readonly Card[], { search }: Call) => ({
  body: { items: cards.filter((c) => !search.has('stage') || search.getAll('stage').includes(c.stage)), next_cursor: null },
});

/** The board's reads over `cards`, plus `handlers`. */
function board(cards: readonly Card[], handlers: Record<string, unknown> = {}) {
  return stubApi({
    'GET /api/v1/users': [],
    'GET /api/v1/opportunities': (call: Call) => listOf(cards, call),
    'GET /api/v1/opportunities/stage-totals': totalsOf(cards),
    ...handlers,
  });
}

const drag = async (to: string) => {
  fireEvent.dragStart(await screen.findByTestId('opportunity-7'));
  fireEvent.dragOver(screen.getByTestId(`column-${to}`));
  fireEvent.drop(screen.getByTestId(`column-${to}`));
};

describe('the opportunity board', () => {
  it('refuses a stage the card cannot reach, saying which ones it can, without a round trip', async () => {
    const calls = board([opp]);
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    expect(await screen.findByText('¥10,000.00 – ¥12,800.50')).toBeTruthy();
    await drag('won');
    expect(await screen.findByText('不能转到「赢单」，当前可转到：报价、输单')).toBeTruthy();
    expect(within(screen.getByTestId('column-intent')).queryByTestId('opportunity-7')).toBeTruthy();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the server’s 409 with its allowed stages and snaps the card back', async () => {
    const calls = board([opp], {
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
    const calls = board([opp], {
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
    const contract: Card = {
      ...opp,
      id: 8,
      stage: 'contract',
      budget_min: null,
      budget_max: '50000.00',
      allowed_transitions: ['won', 'lost'],
    };
    const calls = board([opp, contract], {
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
    const calls = board([opp], {
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

  it('heads each column and forecasts with the server’s totals of every opportunity, not the loaded cards', async () => {
    const fifty = Array.from({ length: 50 }, (_, i): Card => ({ ...opp, id: 1000 - i, title: `商机 ${i}`, budget_max: '100.00' }));
    board(fifty, {
      'GET /api/v1/opportunities': (call: Call) => ({ body: { ...listOf(fifty, call).body, next_cursor: 'more' } }),
      'GET /api/v1/opportunities/stage-totals': [
        { stage: 'intent', count: 250, amount: '25000.00' },
        { stage: 'quote', count: 3, amount: '3000.00' },
        { stage: 'contract', count: 0, amount: '0.00' },
        { stage: 'won', count: 1, amount: '999999999999.99' },
        { stage: 'lost', count: 2, amount: '70.00' },
      ],
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    await screen.findByTestId('opportunity-951');
    expect(within(screen.getByTestId('column-intent')).getAllByTestId(/^opportunity-/)).toHaveLength(50);
    expect(screen.getByTestId('total-intent').textContent).toBe('¥25,000.00');
    expect(screen.getByTestId('total-won').textContent).toBe('¥999,999,999,999.99');
    // 25000 × 20 % + 3000 × 50 % + 999999999999.99 × 100 % (lost counts nothing), exact to the fen
    expect(screen.getByTestId('board-forecast').textContent).toContain('¥1,000,000,006,499.99');
    expect(screen.getByTestId('count-intent').textContent).toBe('250');
    expect(screen.getByTestId('count-quote').textContent).toBe('3');
  });

  it('loads a column’s next page with the cursor from “加载更多”, until there is none', async () => {
    const first = Array.from({ length: 50 }, (_, i): Card => ({ ...opp, id: 1000 - i, title: `商机 ${i}` }));
    const calls = board(first, {
      'GET /api/v1/opportunities': (call: Call) =>
        call.search.get('cursor') === 'intent-2'
          ? { body: { items: [{ ...opp, id: 3, title: '最后一个' }], next_cursor: null } }
          : { body: { ...listOf(first, call).body, next_cursor: call.search.get('stage') === 'intent' ? 'intent-2' : null } },
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    const user = userEvent.setup({ delay: null });
    const column = await screen.findByTestId('column-intent');
    const more = await within(column).findByTestId('more-intent');
    expect(more.textContent).toBe('加载更多');
    await user.click(more);
    expect(await within(column).findByText('最后一个')).toBeTruthy();
    expect(within(column).getAllByTestId(/^opportunity-/)).toHaveLength(51);
    const next = calls.find((c) => c.path === '/api/v1/opportunities' && c.search.get('cursor'));
    expect(Object.fromEntries(next!.search)).toEqual({ stage: 'intent', cursor: 'intent-2', limit: '50' });
    expect(screen.queryAllByTestId(/^more-/)).toHaveLength(0);
  });

  it('sends the owner and the expected close month to every column and to the totals', async () => {
    const calls = board([opp]);
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />, { role: 'account_manager', sub: '5' });
    await screen.findByTestId('opportunity-7');
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByTestId('board-month'));
    await user.type(screen.getByTestId('board-month'), '2026-12{Enter}');
    await waitFor(() => expect(calls.some((c) => c.search.get('close_month') === '2026-12')).toBe(true));
    await waitFor(() => {
      const filtered = calls.filter((c) => c.search.get('close_month') === '2026-12');
      expect(filtered.filter((c) => c.path === '/api/v1/opportunities/stage-totals')).toHaveLength(1);
      expect(filtered.filter((c) => c.path === '/api/v1/opportunities').map((c) => c.search.get('stage'))).toEqual([...STAGES]);
    });
    expect(
      calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/v1/opportunities')).every((c) => c.search.get('owner') === 'me'),
    ).toBe(true);
  });

  it('after a move, reads the columns and the totals again', async () => {
    let cards: Card[] = [opp];
    const calls = board(cards, {
      'GET /api/v1/opportunities': (call: Call) => listOf(cards, call),
      'GET /api/v1/opportunities/stage-totals': () => ({ body: totalsOf(cards) }),
      'POST /api/v1/opportunities/7/transitions': () => {
        cards = [{ ...opp, stage: 'quote', version: 2, allowed_transitions: ['contract', 'lost'] }];
        return { body: cards[0] };
      },
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    expect((await screen.findByTestId('total-intent')).textContent).toBe('¥12,800.50');
    const totalsRead = () => calls.filter((c) => c.path === '/api/v1/opportunities/stage-totals').length;
    const before = totalsRead();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('stage-menu-7'));
    await user.click(await screen.findByRole('menuitem', { name: '报价' }));
    await waitFor(() => expect(totalsRead()).toBeGreaterThan(before));
    await waitFor(() => expect(within(screen.getByTestId('column-quote')).queryByTestId('opportunity-7')).toBeTruthy());
    expect(screen.getByTestId('count-quote').textContent).toBe('1');
    expect(screen.getByTestId('count-intent').textContent).toBe('0');
    expect(screen.getByTestId('total-quote').textContent).toBe('¥12,800.50');
    expect(screen.getByTestId('total-intent').textContent).toBe('¥0.00');
    expect(calls.filter((c) => c.path === '/api/v1/opportunities' && c.search.get('stage') === 'quote').length).toBeGreaterThan(1);
  });
});
