import { useMemo, useSyncExternalStore } from 'react';
import { decodeClaims, getTokens, subscribe, type Claims } from './session';

export function useTokens() {
  return useSyncExternalStore(subscribe, getTokens);
}

/** The signed-in user's claims; only used below the authenticated layout, where they exist. */
export function useClaims(): Claims {
  const access = useTokens()?.access;
  const claims = useMemo(() => (access ? decodeClaims(access) : null), [access]);
  if (!claims) throw new Error('useClaims outside a session');
  return claims;
}
