// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { getTokens, setTokens } from '../auth/session';
import { authFetch } from './client';

function stubServer(refresh: () => Response) {
  const seen: { url: string; auth: string | null }[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url, 'http://localhost').pathname;
    seen.push({ url, auth: request.headers.get('Authorization') });
    if (url === '/api/v1/auth/refresh') return refresh();
    return request.headers.get('Authorization') === 'Bearer fresh'
      ? new Response('{}', { status: 200 })
      : new Response('{}', { status: 401 });
  });
  return seen;
}

const get = () => authFetch(new Request('http://localhost/api/v1/customers'));

describe('the session behind every API call', () => {
  it('refreshes an expired access token once, rotates the refresh token and retries', async () => {
    setTokens({ access: 'stale', refresh: 'r1' });
    const seen = stubServer(() => new Response(JSON.stringify({ access_token: 'fresh', refresh_token: 'r2', expires_in: 1800 })));
    const [a, b] = await Promise.all([get(), get()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(seen.filter((s) => s.url === '/api/v1/auth/refresh')).toHaveLength(1); // a reused refresh token would end the session
    expect(getTokens()).toEqual({ access: 'fresh', refresh: 'r2' });
  });

  it('ends the session when the refresh token is refused', async () => {
    setTokens({ access: 'stale', refresh: 'revoked' });
    stubServer(() => new Response('{}', { status: 401 }));
    expect((await get()).status).toBe(401);
    expect(getTokens()).toBeNull();
  });
});
