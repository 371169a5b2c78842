// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import OpportunityBoardPage from './OpportunityBoardPage';

const opp = {
  id: 7, customer_id: 3, customer_name: '闽江测试科技有限公司', owner_id: 1, title: '年度维保', budget_min: '10000.00',
  budget_max: '12800.50', stage: 'intent', lost_reason: null, expected_close_on: null, closed_at: null,
  last_effective_follow_up_at: null, stale: false, allowed_transitions: ['quote', 'lost'], version: 1,
  created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z',
};

const drag = async (to: string) => {
  fireEvent.dragStart(await screen.findByTestId('opportunity-7'));
  fireEvent.dragOver(screen.getByTestId(`column-${to}`));
  fireEvent.drop(screen.getByTestId(`column-${to}`));
};

describe('the opportunity board', () => {
  it('shows a 409 as a message and snaps the card back', async () => {
    const calls = stubApi({
      'GET /api/v1/opportunities': { items: [opp], next_cursor: null },
      'GET /api/v1/users': [],
      'POST /api/v1/opportunities/7/transitions': () => ({
        status: 409,
        body: { type: '/problems/illegal-transition', title: 'Conflict', status: 409, code: 'illegal-transition',
          detail: 'intent → won is not allowed', allowed: ['quote', 'lost'] },
      }),
    });
    renderAt('/opportunities/board', '/opportunities/board', <OpportunityBoardPage />);
    expect(await screen.findByText('¥10000.00 – 12800.50')).toBeTruthy();
    await drag('won');
    expect(await screen.findByText('当前状态不能执行该操作。')).toBeTruthy();
    await waitFor(() => expect(within(screen.getByTestId('column-intent')).queryByTestId('opportunity-7')).toBeTruthy());
    expect(within(screen.getByTestId('column-won')).queryByTestId('opportunity-7')).toBeNull();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ to: 'won', reason: null });
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
    expect(within(dialog).getByRole('button', { name: /确\s*定|OK/ }).hasAttribute('disabled')).toBe(true);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    await user.type(screen.getByTestId('lost-reason'), '预算取消');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定|OK/ }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ to: 'lost', reason: '预算取消' }));
  });
});
