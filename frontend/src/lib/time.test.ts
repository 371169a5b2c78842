import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime, fromPicker, setZone, todayInZone, toPicker } from './time';

afterEach(() => {
  setZone('Asia/Shanghai');
  vi.useRealTimers();
});

describe('times in the configured zone', () => {
  it('shows a UTC instant on Shanghai wall-clock time', () => {
    expect(formatDateTime('2024-10-08T02:30:00Z')).toBe('2024-10-08 10:30');
  });

  it('round-trips a picked wall-clock time as the zone instant', () => {
    const picked = toPicker('2024-10-08T02:30:00Z');
    expect(picked?.format('YYYY-MM-DD HH:mm')).toBe('2024-10-08 10:30');
    expect(fromPicker(picked)).toBe('2024-10-08T10:30:00+08:00');
  });

  it('follows another configured zone', () => {
    setZone('Europe/Berlin');
    expect(formatDateTime('2024-07-01T12:00:00Z')).toBe('2024-07-01 14:00');
  });

  it("takes today from the zone's calendar, not the browser's", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-06T17:30:00Z')); // Shanghai is already in the 7th
    expect(todayInZone().format('YYYY-MM-DD')).toBe('2026-12-07');
    expect(todayInZone().add(1, 'day').format('YYYY-MM-DD')).toBe('2026-12-08');
    setZone('America/Los_Angeles'); // 09:30 on the 6th there
    expect(todayInZone().format('YYYY-MM-DD')).toBe('2026-12-06');
  });
});
