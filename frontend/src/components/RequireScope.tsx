import type { ReactNode } from 'react';
import type { Scope } from '../auth/session';
import { useClaims } from '../auth/useSession';
import { NotFound } from './NotFound';

/** A screen only some roles have; others see "not found", as the API answers them. */
export function RequireScope({ scope, children }: { scope: Scope; children: ReactNode }) {
  return useClaims().scopes.has(scope) ? <>{children}</> : <NotFound />;
}
