// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import DueFollowUpsPage from './DueFollowUpsPage';

describe('my due follow-ups', () => {
  it('asks for owner=me and marks overdue items and those due today', async () => {
    const calls = stubApi({
      'GET /api/v1/follow-ups/due': {
        items: [
          {
            kind: 'next_action',
            customer_id: 3,
            customer_name: '闽江测试科技有限公司',
            follow_up_id: 9,
            next_action: '发送报价单',
            due_on: '2026-11-20',
            overdue_days: 3,
          },
          {
            kind: 'cadence',
            customer_id: 4,
            customer_name: '张三',
            follow_up_id: null,
            next_action: null,
            due_on: '2026-11-23',
            overdue_days: 0,
          },
        ],
        next_cursor: null,
      },
    });
    renderAt('/follow-ups/due', '/follow-ups/due', <DueFollowUpsPage />);
    const link = await screen.findByRole('link', { name: '闽江测试科技有限公司' });
    expect(link.getAttribute('href')).toBe('/customers/3?tab=follow-ups');
    expect(screen.getByText('逾期 3 天')).toBeTruthy();
    expect(screen.getByText('今天到期')).toBeTruthy();
    expect(screen.getByText('按周期跟进')).toBeTruthy();
    expect(screen.getByText(/发送报价单/)).toBeTruthy();
    expect(calls[0]?.search.get('owner')).toBe('me');
  });
});
