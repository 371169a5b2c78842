// The signed-in session: tokens in localStorage (so a reload or a second tab stays signed in)
// and the claims of the access token, which drive role-aware menus and buttons.
import type { components } from '../api/schema.gen';

export type Role = components['schemas']['Role'];
export type Scope =
  | 'customers:read'
  | 'customers:write'
  | 'tags:write'
  | 'users:read'
  | 'users:admin'
  | 'settings:admin'
  | 'audit:read'
  | 'tickets:read'
  | 'tickets:write'
  | 'notifications';

export interface Claims {
  userId: number;
  username: string;
  role: Role;
  departmentId: number | null;
  scopes: ReadonlySet<string>;
}

export interface Tokens {
  access: string;
  refresh: string;
}

const KEY = 'crm.session';
const listeners = new Set<() => void>();
let cached: { raw: string | null; tokens: Tokens | null } = { raw: null, tokens: null };

export function decodeClaims(access: string): Claims | null {
  try {
    const part = access.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const payload = JSON.parse(decodeURIComponent(escape(json))) as Record<string, unknown>;
    return {
      userId: Number(payload.sub),
      username: String(payload.name),
      role: payload.role as Role,
      departmentId: typeof payload.dept === 'number' ? payload.dept : null,
      scopes: new Set(
        String(payload.scope ?? '')
          .split(' ')
          .filter(Boolean),
      ),
    };
  } catch {
    return null;
  }
}

export function getTokens(): Tokens | null {
  const raw = localStorage.getItem(KEY);
  if (raw !== cached.raw) {
    let tokens: Tokens | null;
    try {
      tokens = raw ? (JSON.parse(raw) as Tokens) : null;
    } catch {
      tokens = null;
    }
    cached = { raw, tokens };
  }
  return cached.tokens;
}

export function setTokens(tokens: Tokens | null): void {
  if (tokens) localStorage.setItem(KEY, JSON.stringify(tokens));
  else localStorage.removeItem(KEY);
  listeners.forEach((notify) => notify());
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => e.key === KEY && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}
