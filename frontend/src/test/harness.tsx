// Render a screen as the app does (providers, router, a signed-in session) against a stubbed
// API: `api` answers requests by "METHOD /path" and records them.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { setTokens } from '../auth/session';
import '../i18n';

export const ADMIN_SCOPES =
  'audit:read customers:read customers:write notifications settings:admin tags:write ' +
  'tickets:read tickets:write users:admin users:read';

export function fakeAccessToken(claims: Record<string, unknown>): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: '1', name: 'admin', role: 'admin', dept: null, scope: ADMIN_SCOPES, ...claims })}.sig`;
}

export interface Call {
  method: string;
  path: string;
  search: URLSearchParams;
  body: unknown;
  headers: Headers;
}
type Handler = (call: Call) => { status?: number; body: unknown };

export function stubApi(handlers: Record<string, Handler | unknown>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url, 'http://localhost');
    const text = await input.text();
    let sent: unknown;
    try {
      sent = text ? JSON.parse(text) : undefined;
    } catch {
      sent = text;
    } // a form (sign-in) is text
    const call = { method: input.method, path: url.pathname, search: url.searchParams, body: sent, headers: input.headers };
    calls.push(call);
    const handler = handlers[`${input.method} ${url.pathname}`];
    if (handler === undefined) return new Response(JSON.stringify({ code: 'not-found', detail: 'stub' }), { status: 404 });
    const { status = 200, body } = typeof handler === 'function' ? (handler as Handler)(call) : { body: handler };
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' },
    });
  });
  return calls;
}

/** `claims` override the signed-in admin's (sub, role, scope…). */
export function renderAt(path: string, routePath: string, element: ReactElement, claims: Record<string, unknown> = {}) {
  setTokens({ access: fakeAccessToken(claims), refresh: 'refresh-token' });
  const router = createMemoryRouter(
    [
      { path: routePath, element },
      { path: '*', element: <div>elsewhere</div> },
    ],
    { initialEntries: [path] },
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }}>
      <AntApp>
        <QueryClientProvider client={client}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>,
  );
  return router;
}

/** The open antd Select's option with exactly this text (options render outside the dialog). */
export function selectOption(label: string): HTMLElement {
  return [...document.querySelectorAll('.ant-select-item-option')].find((o) => o.textContent === label) as HTMLElement;
}
