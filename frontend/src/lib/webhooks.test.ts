// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { webhookCreateEvent_typesValues } from '../api/schema.gen';
import i18n from '../i18n';
import { deliveryError, EVENT_GROUPS, eventLabel } from './webhooks';

describe('webhook event types', () => {
  it('puts every event type of the contract in exactly one group', () => {
    expect(EVENT_GROUPS.flatMap((g) => g.events).sort()).toEqual([...webhookCreateEvent_typesValues].sort());
  });

  it('has a Chinese label for every event type and the test ping, and an English one', async () => {
    const t = i18n.t.bind(i18n);
    await i18n.changeLanguage('zh-CN');
    expect(eventLabel(t, 'customer.created')).toBe('新建客户');
    expect(eventLabel(t, 'ticket.sla_breached')).toBe('工单 SLA 超时');
    expect(eventLabel(t, 'ping')).toBe('测试事件');
    const labels = [...webhookCreateEvent_typesValues, 'ping'].map((type) => eventLabel(t, type));
    for (const label of labels) expect(label).toMatch(/[\u4e00-\u9fff]/);
    expect(new Set(labels).size).toBe(labels.length);
    expect(eventLabel(t, 'invoice.paid')).toBe('其他事件'); // a newer server's event: no raw key
    await i18n.changeLanguage('en');
    for (const type of webhookCreateEvent_typesValues) expect(eventLabel(t, type)).not.toBe(type);
    expect(eventLabel(t, 'order.created')).toBe('Order created');
    await i18n.changeLanguage('zh-CN');
  });

  it('says why a delivery got no answer, from the job’s error text', () => {
    const t = i18n.t.bind(i18n);
    expect(deliveryError(t, 'ConnectError: [Errno 111] Connection refused')).toBe('无法连接接收方');
    expect(deliveryError(t, 'ReadTimeout: ')).toBe('请求超时');
    expect(deliveryError(t, 'resolves to a private or reserved address')).toBe('地址指向内网或保留地址，已拒绝');
    expect(deliveryError(t, 'HTTP 500')).toBe('接收方返回错误');
    expect(deliveryError(t, 'RemoteProtocolError: boom')).toBe('请求失败');
    expect(deliveryError(t, null)).toBe('');
  });
});
