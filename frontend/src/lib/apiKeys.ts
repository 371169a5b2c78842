// API keys in the user's language: the scopes by what they touch, and the allow-list's entries
// checked as the server parses them (Python's ipaddress.ip_network(entry.strip(), strict=False)).
import type { TFunction } from 'i18next';
import type { Schemas } from '../api/client';

type Scope = Schemas['Scope'];

/** The scopes of the create form, grouped by what they touch; every scope is in one group. */
export const SCOPE_GROUPS: readonly { key: 'customers' | 'tickets' | 'users' | 'system'; scopes: readonly Scope[] }[] = [
  { key: 'customers', scopes: ['customers:read', 'customers:write', 'tags:write'] },
  { key: 'tickets', scopes: ['tickets:read', 'tickets:write', 'notifications'] },
  { key: 'users', scopes: ['users:read', 'users:admin'] },
  { key: 'system', scopes: ['settings:admin', 'audit:read'] },
];

/** "customers:read" as 读取客户 (the dictionary nests it: i18next reads ':' as a namespace). */
export function scopeLabel(t: TFunction, scope: string): string {
  return String(t(`apiKeys.scope.${scope.replace(':', '.')}` as 'apiKeys.scope.notifications', { defaultValue: scope }));
}

const OCTET = /^(0|[1-9]\d{0,2})$/; // Python refuses leading zeros ("010"), which could mean octal

function ipv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);
}

function ipv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  try {
    new URL(`http://[${text}]/`); // the WHATWG parser knows every IPv6 spelling
    return true;
  } catch {
    return false;
  }
}

/** Whether the server takes `entry` as an address or a network (CIDR, or a v4 netmask). It
 *  errs towards taking: the server decides. */
export function isIpNetwork(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.trim().split('/');
  if (rest.length) return false;
  const host = address.replace(/%[^%]+$/, ''); // an IPv6 scope ("fe80::1%eth0")
  if (ipv4(host)) return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= 32) || ipv4(prefix);
  if (ipv6(host)) return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= 128);
  return false;
}
