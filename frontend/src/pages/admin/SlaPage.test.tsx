// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import SlaPage from './SlaPage';

const policy = (id: number, priority: string, calendar: string, first: number, resolution: number, update: number) => ({
  id,
  priority,
  ticket_type: null,
  calendar,
  first_response_minutes: first,
  resolution_minutes: resolution,
  update_minutes: update,
  version: 1,
});

describe('the SLA policies screen', () => {
  it('shows targets in working days and hours, and what a typed number of minutes means', async () => {
    stubApi({
      'GET /api/v1/sla-policies': [policy(1, 'P1', 'business', 30, 480, 120), policy(2, 'P4', '24x7', 1440, 4 * 1440 + 90, 60)],
      'GET /api/v1/business-calendar': { timezone: 'Asia/Shanghai', opens: '09:00:00', closes: '18:00:00', overrides: [], version: 1 },
    });
    renderAt('/admin/sla', '/admin/sla', <SlaPage />);
    await waitFor(() => expect(screen.getAllByTestId('sla-target-resolution')).toHaveLength(2));
    const texts = (key: string) => screen.getAllByTestId(`sla-target-${key}`).map((e) => e.textContent);
    expect(texts('first_response')).toEqual(['30 分钟', '1 天']);
    expect(texts('resolution')).toEqual(['8 小时', '4 天 1 小时 30 分钟']);
    expect(texts('update')).toEqual(['2 小时', '1 小时']);
    expect(screen.getByTestId('sla-workday-note').textContent).toContain('09:00–18:00');
    expect(screen.getByTestId('sla-workday-note').textContent).toContain('9 小时');

    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: /新建策略/ }));
    const [first] = await screen.findAllByRole('spinbutton');
    await user.type(first as HTMLElement, '600');
    expect((await screen.findByTestId('sla-hint-first_response_minutes')).textContent).toBe('即 1 个工作日 1 小时');
  });
});
