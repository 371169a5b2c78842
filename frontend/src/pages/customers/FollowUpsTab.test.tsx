// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import { FollowUpForm, FollowUpsTab } from './FollowUpsTab';

const opportunities = {
  items: [
    { id: 7, title: '年度维保', stage: 'quote' },
    { id: 8, title: '已赢单', stage: 'won' },
  ],
  next_cursor: null,
};

describe('the follow-up quick entry', () => {
  it('says an empty summary is required before any request', async () => {
    const calls = stubApi({ 'GET /api/v1/customers/5/opportunities': opportunities, 'GET /api/v1/users': [] });
    renderAt('/c', '/c', <FollowUpForm customerId={5} />);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: '保存' }));
    const error = await screen.findByText('必填');
    expect(error.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('跟进内容');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('shows the server’s 422 on a summary of spaces next to the field', async () => {
    const calls = stubApi({
      'GET /api/v1/customers/5/opportunities': opportunities,
      'GET /api/v1/users': [],
      'POST /api/v1/follow-ups': () => ({
        status: 422,
        body: {
          type: '/problems/validation',
          title: 'Validation',
          status: 422,
          code: 'validation',
          detail: 'summary: Value error, required: say what happened',
          errors: [{ field: 'summary', message: 'Value error, required: say what happened (a short note such as "无" is fine)' }],
        },
      }),
    });
    renderAt('/c', '/c', <FollowUpForm customerId={5} />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '跟进内容' }), '   ');
    await user.click(screen.getByRole('button', { name: '保存' }));

    const error = await screen.findByText('必填');
    expect(error.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('跟进内容');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({
      customer_id: 5,
      method: 'phone',
      summary: '   ',
      effective: false,
      feedback: null,
      next_action: null,
      next_action_due_on: null,
      opportunity_id: null,
    });
    // "at" defaults to now, sent with its offset.
    expect((post?.body as { at: string }).at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it('sends the summary, the effective flag and calls back when saved', async () => {
    const calls = stubApi({
      'GET /api/v1/customers/5/opportunities': opportunities,
      'GET /api/v1/users': [],
      'POST /api/v1/follow-ups': { id: 1 },
    });
    let done = false;
    renderAt(
      '/c',
      '/c',
      <FollowUpForm
        customerId={5}
        onDone={() => {
          done = true;
        }}
      />,
    );
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '跟进内容' }), '电话沟通维保续约');
    await user.click(screen.getByRole('checkbox'));
    await user.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() => expect(done).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ summary: '电话沟通维保续约', effective: true });
  });
});

describe('the follow-ups tab', () => {
  const stubs = {
    'GET /api/v1/customers/5/follow-ups': { items: [], next_cursor: null },
    'GET /api/v1/customers/5/opportunities': opportunities,
    'GET /api/v1/users': [],
  };
  const owned = { id: 5, owner_id: 1, archived: false } as never;

  it('opens its entry form when the URL asks for a new one (the quick action), then drops the parameter', async () => {
    stubApi(stubs);
    const router = renderAt('/customers/5?tab=follow-ups&new=1', '/customers/:id', <FollowUpsTab customer={owned} />);
    expect(await screen.findByTestId('follow-up-form')).toBeTruthy();
    expect(screen.queryByTestId('add-follow-up')).toBeNull();
    await waitFor(() => expect(router.state.location.search).toBe('?tab=follow-ups'));
    expect(router.state.location.pathname).toBe('/customers/5');
  });

  it('keeps the form closed without the parameter', async () => {
    stubApi(stubs);
    renderAt('/customers/5?tab=follow-ups', '/customers/:id', <FollowUpsTab customer={owned} />);
    expect(await screen.findByTestId('add-follow-up')).toBeTruthy();
    expect(screen.queryByTestId('follow-up-form')).toBeNull();
  });

  it('does not open the form for a reader who may not write, but still drops the parameter', async () => {
    stubApi(stubs);
    const router = renderAt('/customers/5?tab=follow-ups&new=1', '/customers/:id', <FollowUpsTab customer={owned} />, {
      sub: '2',
      role: 'readonly',
      scope: 'customers:read users:read',
    });
    await waitFor(() => expect(router.state.location.search).toBe('?tab=follow-ups'));
    expect(screen.queryByTestId('follow-up-form')).toBeNull();
    expect(screen.queryByTestId('add-follow-up')).toBeNull();
  });
});
