// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { scopeValues } from '../api/schema.gen';
import i18n from '../i18n';
import en from '../i18n/en';
import zh from '../i18n/zh-CN';
import { isIpNetwork, SCOPE_GROUPS, scopeLabel } from './apiKeys';

describe('API key scopes', () => {
  it('puts every scope of the contract in exactly one group', () => {
    expect(SCOPE_GROUPS.flatMap((g) => g.scopes).sort()).toEqual([...scopeValues].sort());
  });

  it('has a label for every scope in both languages, Chinese in zh-CN', async () => {
    const t = i18n.t.bind(i18n);
    await i18n.changeLanguage('zh-CN');
    expect(scopeLabel(t, 'customers:read')).toBe('读取客户');
    expect(scopeLabel(t, 'notifications')).toBe(zh.apiKeys.scope.notifications);
    for (const scope of scopeValues) expect(scopeLabel(t, scope)).toMatch(/[\u4e00-\u9fff]/);
    await i18n.changeLanguage('en');
    for (const scope of scopeValues) expect(scopeLabel(t, scope)).not.toBe(scope);
    expect(scopeLabel(t, 'users:admin')).toBe(en.apiKeys.scope.users.admin);
    await i18n.changeLanguage('zh-CN');
  });
});

describe('allow-list entries, as Python’s ipaddress.ip_network(strict=False) reads them', () => {
  // Each checked against the server's parser (domain/api_key.py check_allowed_ips).
  it('takes what the server takes', () => {
    for (const entry of [
      '10.0.0.1',
      '10.0.0.0/8',
      '10.0.0.1/24',
      ' 1.2.3.4 ',
      '10.0.0.1/255.0.0.0',
      '10.0.0.0/08',
      '::1',
      '2001:db8::/32',
      '::ffff:1.2.3.4',
      'fe80::1%eth0',
      '2001:db8::1/064',
      '0.0.0.0/0',
    ]) {
      expect(isIpNetwork(entry), entry).toBe(true);
    }
  });

  it('refuses what the server refuses', () => {
    for (const entry of [
      '10.0.0.300',
      '010.0.0.1',
      '1.2.3',
      '10.0.0.0/33',
      '::1/129',
      '1.2.3.4/',
      '[::1]',
      '1',
      '0x1.2.3.4',
      '1.2.3.4/ 8',
      'example.com',
      '',
      '1.2.3.4/8/8',
      '2001:db8::g',
    ]) {
      expect(isIpNetwork(entry), entry).toBe(false);
    }
  });
});
