// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import '../i18n';
import { SlaBadge } from './SlaBadge';

describe('the SLA badge', () => {
  it('counts down every second and turns breached when the due time passes', () => {
    vi.useFakeTimers({ now: Date.parse('2024-10-08T02:00:00Z') });
    const clock = { due_at: '2024-10-08T02:00:05Z', elapsed_minutes: 29.9, remaining_minutes: 0.1, state: 'warning' as const };
    render(<SlaBadge clock={clock} calendar="24x7" fetchedAt={Date.now()} target="first_response" />);
    const badge = screen.getByTestId('sla-first_response');
    expect(badge.dataset.state).toBe('warning');
    expect(badge.textContent).toBe('首次响应 预警 · 剩余 0分 5秒');

    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(badge.textContent).toBe('首次响应 预警 · 剩余 0分 3秒');

    act(() => {
      vi.advanceTimersByTime(4000);
    });
    expect(badge.dataset.state).toBe('breached');
    expect(badge.textContent).toBe('首次响应 已超时 · 超时 0分 1秒');
  });
});
