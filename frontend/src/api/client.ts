// The one typed client of the API (paths and types generated from openapi/openapi.json).
// Every request carries the access token; a 401 refreshes the session once (rotating the
// refresh token) and retries; when that fails the session ends and the app shows the login.
import createClient from 'openapi-fetch';
import { getTokens, setTokens } from '../auth/session';
import type { components, paths } from './schema.gen';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

/** A failed API call: the HTTP status and the RFC 9457 problem the server sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

let refreshing: Promise<string | null> | null = null;

/**
 * A fresh access token in place of `used`, refreshing at most once at a time; null when the
 * session cannot be refreshed, which ends it (the layout then shows the login).
 */
export async function freshAccess(used: string | undefined): Promise<string | null> {
  const access = await refreshedAccess(used);
  if (access === null) setTokens(null);
  return access;
}

function refreshedAccess(used: string | undefined): Promise<string | null> {
  const current = getTokens();
  if (!current) return Promise.resolve(null);
  if (current.access !== used) return Promise.resolve(current.access); // another tab or call did
  refreshing ??= (async () => {
    try {
      const { data } = await api.POST('/api/v1/auth/refresh', { body: { refresh_token: current.refresh } });
      if (!data) return null;
      setTokens({ access: data.access_token, refresh: data.refresh_token });
      return data.access_token;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function authorize(request: Request, access: string | undefined): Request {
  if (access) request.headers.set('Authorization', `Bearer ${access}`);
  return request;
}

/** fetch with the session's token; on 401 refresh and retry once, else end the session. */
export async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const used = getTokens()?.access;
  const response = await fetch(authorize(request, used));
  if (response.status !== 401 || used === undefined || request.url.includes('/api/v1/auth/')) {
    return response;
  }
  const access = await freshAccess(used);
  return access === null ? response : fetch(authorize(retry, access));
}

// Absolute URLs (the page's origin) so that requests also build outside a browser (tests).
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '', fetch: authFetch });

/** The data of a call, or throw ApiError with the server's problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok) {
    const body = result.error as Partial<Problem> | undefined;
    throw new ApiError(result.response.status, body && typeof body === 'object' && 'code' in body ? (body as Problem) : null);
  }
  return result.data as T;
}

/** The If-Match header for a write on a resource read at `version`. */
export function ifMatch(version: number) {
  return { 'if-match': `"${version}"` };
}
