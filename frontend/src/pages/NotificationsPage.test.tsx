// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../lib/time';
import { renderAt, stubApi } from '../test/harness';
import NotificationsPage from './NotificationsPage';

describe('the notification inbox', () => {
  it('renders each notification from its kind and parameters, with a relative time and the exact one on hover', async () => {
    const at = new Date(Date.now() - 3 * 3600_000).toISOString();
    stubApi({
      'GET /api/v1/notifications': {
        items: [
          {
            id: 1,
            kind: 'ticket_assigned',
            title: 'stored title', // what an old row would show; the parameters win
            params: { code: 'T202612000001', title: '打印机无法开机' },
            body: '客户很着急',
            entity_type: 'ticket',
            entity_id: 4,
            created_at: at,
            read_at: null,
          },
        ],
        next_cursor: null,
      },
    });
    renderAt('/notifications', '/notifications', <NotificationsPage />);
    const inbox = await screen.findByTestId('inbox');
    expect(await within(inbox).findByText('工单 T202612000001 已分派给你: 打印机无法开机')).toBeTruthy();
    expect(within(inbox).queryByText('stored title')).toBeNull();
    expect(within(inbox).getByText('客户很着急')).toBeTruthy();
    const time = within(inbox).getByText('3 小时前');
    expect(time.getAttribute('title')).toBe(formatDateTime(at));
    expect(time.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });
});
