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

  it('says why a customer goes back to the pool, in each language; older rows without a reason too', async () => {
    const released = {
      kind: 'pool_release',
      title: '客户 上海云帆 已退回公海',
      params: { name: '上海云帆', target: 'no_order', days: 90 },
    };
    const warned = {
      kind: 'pool_warning',
      title: '客户 上海云帆 即将退回公海',
      params: { name: '上海云帆', target: 'no_follow_up', days: 3 },
    };
    await i18n.changeLanguage('zh-CN');
    expect(notificationText(t, released)).toBe('客户 上海云帆 已退回公海：超过 90 天没有订单');
    expect(notificationText(t, warned)).toBe('客户 上海云帆 再过 3 天仍没有有效跟进，将退回公海');
    await i18n.changeLanguage('en');
    expect(notificationText(t, released)).toBe('Customer 上海云帆 went back to the public pool: no order for over 90 days');
    expect(notificationText(t, warned)).toBe('Customer 上海云帆 goes back to the public pool in 3 days without an effective follow-up');
    const older = { kind: 'pool_warning', title: '客户 上海云帆 即将退回公海', params: { name: '上海云帆' } };
    expect(notificationText(t, older)).toBe('Customer 上海云帆 will soon go back to the public pool');
    const unknownReason = { ...released, params: { name: '上海云帆', target: 'moon_phase', days: 1 } };
    expect(notificationText(t, unknownReason)).toBe('客户 上海云帆 已退回公海');
  });

  it('falls back to the stored title without parameters or for an unknown kind', () => {
    expect(notificationText(t, { kind: 'pool_release', title: '旧通知', params: null })).toBe('旧通知');
    expect(notificationText(t, { kind: 'brand_new', title: '新种类', params: { a: 1 } })).toBe('新种类');
  });
});
