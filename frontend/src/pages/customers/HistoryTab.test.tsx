// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import { HistoryTab } from './HistoryTab';

const event = (id: number, entity_type: string, action: string, changes: Record<string, unknown>, extra = {}) => ({
  id,
  at: new Date(Date.now() - 3 * 3600_000).toISOString(),
  actor_id: 3,
  entity_type,
  entity_id: 7,
  customer_id: 9,
  action,
  changes,
  ...extra,
});
const history = {
  items: [
    event(5, 'opportunity', 'transition', { stage: ['quote', 'contract'] }),
    event(4, 'follow_up', 'create', {
      customer_id: [null, 9],
      owner_id: [null, 3],
      opportunity_id: [null, 7],
      method: [null, 'visit'],
      summary: [null, '上门演示'],
    }),
    event(
      3,
      'customer',
      'release',
      {
        owner_id: [3, null],
        release_reason: [null, 'manual'],
        release_note: [null, '无采购计划'],
        pool_entered_at: [null, '2026-12-01T02:00:00+00:00'],
      },
      { actor_id: null },
    ),
    event(2, 'order', 'create', { order_no: [null, 'O202612000001'], amount: [null, '50000.00'], status: [null, 'confirmed'] }),
    event(1, 'customer', 'update', { grade_locked: [false, true], budget_min: ['1000.00', '2000.00'], erp_system: [null, 'SAP'] }),
  ],
  next_cursor: null,
};

describe('the activity timeline', () => {
  it('reads in people’s words: labels, enum values, names, amounts and relative times, never raw keys', async () => {
    const calls = stubApi({
      'GET /api/v1/customers/9/history': history,
      'GET /api/v1/customers/9/contacts': [],
      'GET /api/v1/customers/9/opportunities': { items: [{ id: 7, title: 'ERP 二期' }], next_cursor: null },
      'GET /api/v1/customers/9/orders': { items: [], next_cursor: null },
      'GET /api/v1/users': [{ id: 3, display_name: '张伟', username: 'zhangwei', role: 'account_manager', is_active: true }],
      'GET /api/v1/tags': [],
      'GET /api/v1/custom-fields': [{ id: 1, key: 'erp_system', label_zh: 'ERP 系统', label_en: 'ERP system', type: 'text' }],
      'GET /api/v1/departments': [],
    });
    renderAt('/c', '/c', <HistoryTab customerId={9} />);
    const timeline = await screen.findByTestId('history');
    const text = () => timeline.textContent ?? '';
    await within(timeline).findByText('ERP 二期');
    expect(text()).toContain('阶段：报价 → 合同');
    expect(text()).toContain('跟进方式：拜访');
    expect(text()).toContain('释放原因：手动释放');
    expect(text()).toContain('负责人：张伟 → （空）');
    expect(text()).toContain('金额（元）：¥50,000.00');
    expect(text()).toContain('状态：已确认');
    expect(text()).toContain('预算下限：¥1,000.00 → ¥2,000.00');
    expect(text()).toContain('ERP 系统：SAP');
    expect(text()).toContain('3 小时前');
    expect(text()).toContain('系统');
    expect(text()).not.toMatch(/[a-z]+_[a-z_]+|∅|#\d/); // no customer_id, grade_locked, ∅ or #7
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByText('工单'));
    expect(calls.some((c) => c.path === '/api/v1/customers/9/history' && c.search.get('entity_type') === 'ticket')).toBe(true);
  });

  it('labels a change request’s customer fields and its statuses', async () => {
    stubApi({
      'GET /api/v1/customers/9/history': {
        items: [
          event(2, 'change_request', 'approve', { status: ['pending', 'approved'], decision_reason: [null, '核实无误'] }),
          event(1, 'change_request', 'request', { credit_code: ['91310000MA1FL00001', '91310000MA1FL00002'], name: ['样例', '上海样例'] }),
        ],
        next_cursor: null,
      },
      'GET /api/v1/customers/9/contacts': [],
      'GET /api/v1/customers/9/opportunities': { items: [], next_cursor: null },
      'GET /api/v1/customers/9/orders': { items: [], next_cursor: null },
      'GET /api/v1/users': [{ id: 3, display_name: '张伟', username: 'zhangwei', role: 'admin', is_active: true }],
      'GET /api/v1/tags': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
    });
    renderAt('/c', '/c', <HistoryTab customerId={9} />);
    const timeline = await screen.findByTestId('history');
    const [approved, requested] = await within(timeline).findAllByTestId('history-event');
    expect(approved!.textContent).toContain('状态：待审批 → 已通过');
    expect(approved!.textContent).toContain('审批意见：核实无误');
    expect(requested!.textContent).toContain('统一社会信用代码：91310000MA1FL00001 → 91310000MA1FL00002');
    expect(requested!.textContent).toContain('名称：样例 → 上海样例');
    expect(timeline.textContent).not.toMatch(/pending|approved|其他信息/);
  });

  it('links orders to the customer’s orders tab, as the subject of an event and where another record names one', async () => {
    stubApi({
      'GET /api/v1/customers/9/history': {
        items: [
          event(3, 'follow_up', 'create', { order_id: [null, 11], summary: [null, '回访到货'] }),
          event(2, 'order', 'update', { status: ['confirmed', 'completed'] }, { entity_id: 11 }),
          event(1, 'order', 'create', { order_no: [null, 'O202612000009'], amount: [null, '800.00'] }, { entity_id: 12 }),
        ],
        next_cursor: null,
      },
      'GET /api/v1/customers/9/contacts': [],
      'GET /api/v1/customers/9/opportunities': { items: [], next_cursor: null },
      'GET /api/v1/customers/9/orders': { items: [{ id: 11, order_no: 'O202612000001' }], next_cursor: null },
      'GET /api/v1/users': [],
      'GET /api/v1/tags': [],
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/departments': [],
    });
    const router = renderAt('/customers/9?tab=history', '/customers/:id', <HistoryTab customerId={9} />);
    const timeline = await screen.findByTestId('history');
    const [followUp, updated, created] = await within(timeline).findAllByTestId('history-event');
    const href = (node: HTMLElement, text: string) => within(node).getByText(text).closest('a')?.getAttribute('href');
    await within(updated!).findByText('订单 O202612000001');
    expect(href(updated!, '订单 O202612000001')).toBe('/customers/9?tab=orders');
    expect(href(created!, '订单 O202612000009')).toBe('/customers/9?tab=orders'); // its number from the event
    expect(href(followUp!, 'O202612000001')).toBe('/customers/9?tab=orders');
    const user = userEvent.setup({ delay: null });
    await user.click(within(updated!).getByText('订单 O202612000001'));
    expect(router.state.location.search).toBe('?tab=orders');
  });
});
