// @vitest-environment jsdom
import { afterAll, describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { notificationText } from './notificationText';

const t = i18n.t.bind(i18n);

describe('notifications in the reader’s language', () => {
  afterAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });

  it('renders kind + parameters in Chinese and in English', async () => {
    const pool = { kind: 'pool_release', title: '客户 上海云帆 已退回公海', params: { name: '上海云帆' } };
    const sla = { kind: 'sla_breach', title: '工单 T1 首次响应已超时', params: { code: 'T1', title: '死机', target: 'first_response' } };
    const cr = { kind: 'change_request_pending', title: 'x', params: { name: '上海云帆', fields: ['name', 'owner_id'] } };
    await i18n.changeLanguage('zh-CN');
    expect(notificationText(t, pool)).toBe('客户 上海云帆 已退回公海');
    expect(notificationText(t, cr)).toBe('变更申请待审批: 上海云帆 的名称、负责人');
    await i18n.changeLanguage('en');
    expect(notificationText(t, pool)).toBe('Customer 上海云帆 went back to the public pool');
    expect(notificationText(t, sla)).toBe('Ticket T1: first response is overdue');
    expect(notificationText(t, { kind: 'ticket_assigned', title: '', params: { code: 'T2', title: 'x', new: true } })).toBe(
      'New ticket T2: x',
    );
  });

  it('falls back to the stored title without parameters or for an unknown kind', () => {
    expect(notificationText(t, { kind: 'pool_release', title: '旧通知', params: null })).toBe('旧通知');
    expect(notificationText(t, { kind: 'brand_new', title: '新种类', params: { a: 1 } })).toBe('新种类');
  });
});
