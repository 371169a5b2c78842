import { describe, expect, it } from 'vitest';
import { durationParts, headlineClock, liveClock, targetParts, workdayMinutes, type SlaClock } from './sla';

const MINUTE = 60_000;
const fetchedAt = Date.parse('2024-10-08T02:00:00Z');

function clock(overrides: Partial<SlaClock>): SlaClock {
  return { due_at: '2024-10-08T03:00:00Z', elapsed_minutes: 0, remaining_minutes: 60, state: 'ok', ...overrides };
}

describe('live SLA clocks', () => {
  it('counts down to the due time', () => {
    const live = liveClock(clock({}), '24x7', fetchedAt, fetchedAt + 10 * MINUTE);
    expect(live).toEqual({ state: 'ok', msToDue: 50 * MINUTE });
  });

  it('turns a 24x7 clock to warning at 80 % of its target', () => {
    expect(liveClock(clock({}), '24x7', fetchedAt, fetchedAt + 47 * MINUTE).state).toBe('ok');
    expect(liveClock(clock({}), '24x7', fetchedAt, fetchedAt + 48 * MINUTE).state).toBe('warning');
  });

  it('leaves a business-hours warning to the server (working minutes do not follow the wall clock)', () => {
    expect(liveClock(clock({}), 'business', fetchedAt, fetchedAt + 50 * MINUTE).state).toBe('ok');
    expect(liveClock(clock({ state: 'warning' }), 'business', fetchedAt, fetchedAt).state).toBe('warning');
  });

  it('breaches the moment the due time passes, on any calendar', () => {
    expect(liveClock(clock({ state: 'warning' }), 'business', fetchedAt, fetchedAt + 60 * MINUTE)).toEqual({
      state: 'breached',
      msToDue: 0,
    });
    expect(liveClock(clock({}), '24x7', fetchedAt, fetchedAt + 61 * MINUTE).msToDue).toBe(-MINUTE);
  });

  it('keeps paused and met clocks as they are', () => {
    expect(liveClock(clock({ state: 'paused' }), '24x7', fetchedAt, fetchedAt + 90 * MINUTE).state).toBe('paused');
    expect(liveClock(clock({ state: 'met' }), '24x7', fetchedAt, fetchedAt + 90 * MINUTE).state).toBe('met');
  });

  it('heads a list with the first response until it is met', () => {
    const sla = { calendar: '24x7' as const, first_response: clock({}), resolution: clock({ remaining_minutes: 240 }), update: clock({}) };
    expect(headlineClock(sla)[0]).toBe('first_response');
    expect(headlineClock({ ...sla, first_response: clock({ state: 'met' }) })[0]).toBe('resolution');
  });

  it('shows the two largest units of a duration', () => {
    expect(durationParts(26 * 60 * MINUTE + 5 * MINUTE)).toEqual({ d: 1, h: 2 });
    expect(durationParts(-(3 * 60 + 12) * MINUTE)).toEqual({ h: 3, m: 12 });
    expect(durationParts(12 * MINUTE + 5000)).toEqual({ m: 12, s: 5 });
  });
});

describe('SLA targets', () => {
  it('a working day is the business hours, closes minus opens', () => {
    expect(workdayMinutes('09:00:00', '18:00:00')).toBe(540);
    expect(workdayMinutes('08:30', '17:00')).toBe(510);
  });

  it('reads as working days, hours and minutes on the business calendar', () => {
    expect(targetParts(30, 540)).toEqual({ m: 30 });
    expect(targetParts(480, 540)).toEqual({ h: 8 });
    expect(targetParts(540, 540)).toEqual({ d: 1 });
    expect(targetParts(600, 540)).toEqual({ d: 1, h: 1 });
    expect(targetParts(2 * 540 + 90, 540)).toEqual({ d: 2, h: 1, m: 30 });
  });

  it('reads as calendar days around the clock', () => {
    expect(targetParts(1440, 1440)).toEqual({ d: 1 });
    expect(targetParts(4 * 60, 1440)).toEqual({ h: 4 });
  });
});
