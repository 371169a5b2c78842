// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { getTokens } from '../../auth/session';
import { renderAt, stubApi } from '../../test/harness';
import ProfilePage, { passwordProblem } from './ProfilePage';

const me = {
  id: 1,
  username: 'zhangwei',
  display_name: '张伟',
  role: 'account_manager',
  department_id: null,
  is_active: true,
  language: 'zh-CN',
  email_muted: ['reports'],
  version: 2,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
};

async function fill(current: string, next: string, confirm = next) {
  const user = userEvent.setup({ delay: null });
  await user.type(await screen.findByTestId('current-password'), current);
  await user.type(screen.getByTestId('new-password'), next);
  await user.type(screen.getByTestId('confirm-password'), confirm);
  await user.click(screen.getByTestId('change-password'));
}

describe('the profile page', () => {
  it('checks the new password before the round trip', async () => {
    expect(passwordProblem('short', 'x')).toBe('tooShort');
    expect(passwordProblem('          ', 'x')).toBe('blank');
    expect(passwordProblem('ZhangWei01', 'zhangwei01')).toBe('sameAsUsername');
    expect(passwordProblem('correct horse', 'zhangwei')).toBeNull();
    const calls = stubApi({ 'GET /api/v1/users/me': me });
    renderAt('/profile', '/profile', <ProfilePage />);
    await fill('old-password-1', 'short', 'other');
    expect(await screen.findByText('至少 10 位')).toBeTruthy();
    expect(await screen.findByText('两次输入的新密码不一致')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('sends the current password, then signs in again with the new one', async () => {
    const calls = stubApi({
      'GET /api/v1/users/me': me,
      'PATCH /api/v1/users/me': me,
      'POST /api/v1/auth/token': { access_token: 'new.access.token', refresh_token: 'new-refresh', token_type: 'bearer', expires_in: 1800 },
    });
    renderAt('/profile', '/profile', <ProfilePage />);
    await fill('old-password-1', 'a new passphrase');
    await waitFor(() => expect(calls.map((c) => c.method + ' ' + c.path)).toContain('POST /api/v1/auth/token'), { timeout: 4000 });
    expect(await screen.findByText('密码已修改，其他设备上的登录已失效')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ password: 'a new passphrase', current_password: 'old-password-1' });
    expect(String(calls.find((c) => c.path === '/api/v1/auth/token')?.body)).toContain('password=a+new+passphrase');
    expect(getTokens()).toEqual({ access: 'new.access.token', refresh: 'new-refresh' });
  });

  it('puts the server’s refusal of the current password next to that field, in Chinese', async () => {
    stubApi({
      'GET /api/v1/users/me': me,
      'PATCH /api/v1/users/me': () => ({
        status: 422,
        body: {
          type: '/problems/validation',
          title: 'Validation',
          status: 422,
          code: 'validation',
          detail: 'current_password: wrong',
          errors: [{ field: 'current_password', message: 'does not match your current password' }],
        },
      }),
    });
    renderAt('/profile', '/profile', <ProfilePage />);
    await fill('bad-password', 'a new passphrase');
    const error = await screen.findByText('当前密码不正确', undefined, { timeout: 4000 });
    expect(error.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('当前密码');
    await waitFor(() => expect(screen.queryByText(/does not match/)).toBeNull());
  });

  it("switches the language at once and keeps it as the user's", async () => {
    const calls = stubApi({
      'GET /api/v1/users/me': me,
      'PATCH /api/v1/users/me': { ...me, language: 'en', version: 3 },
    });
    renderAt('/profile', '/profile', <ProfilePage />);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByText('English'));
    expect(await screen.findByText('Language')).toBeTruthy(); // the page is in English now
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ language: 'en' }));
    expect(calls.find((c) => c.method === 'PATCH')?.headers.get('If-Match')).toBe('"2"');
    expect(localStorage.getItem('crm.language')).toBe('en');
    await user.click(screen.getByText('中文'));
    await waitFor(() => expect(localStorage.getItem('crm.language')).toBe('zh-CN'));
  });

  it('turns e-mail topics on and off', async () => {
    let saved = me;
    const calls = stubApi({
      'GET /api/v1/users/me': () => ({ body: saved }),
      'PATCH /api/v1/users/me': (call: { body: unknown }) => {
        saved = { ...me, ...(call.body as object), version: 3 };
        return { body: saved };
      },
    });
    renderAt('/profile', '/profile', <ProfilePage />);
    const sla = await screen.findByTestId('email-topic-sla');
    expect(sla.getAttribute('aria-checked')).toBe('true');
    expect(screen.getByTestId('email-topic-reports').getAttribute('aria-checked')).toBe('false');
    expect(screen.getByText('报表与趋势预警')).toBeTruthy();
    await userEvent.setup({ delay: null }).click(sla);
    await waitFor(() => expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ email_muted: ['reports', 'sla'] }));
    await waitFor(() => expect(screen.getByTestId('email-topic-sla').getAttribute('aria-checked')).toBe('false'));
  });
});
