import { afterEach, describe, expect, it } from 'vitest';
import { formatDateTime, fromPicker, setZone, toPicker } from './time';

afterEach(() => setZone('Asia/Shanghai'));

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
});
