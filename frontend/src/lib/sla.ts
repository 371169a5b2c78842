// Live SLA clocks between two reads. The server computes each clock's state on read, on its
// business calendar; the client counts down to the due time and turns a clock "breached"
// the moment it passes, and "warning" at 80 % of a 24×7 target. A business-hours clock's
// warning comes from the server (lists and details are re-read every minute), because
// working minutes only pass during working hours the client does not know.
import type { Schemas } from '../api/client';

export type SlaClock = Schemas['SlaClockOut'];
export type SlaState = Schemas['SlaState'];
export type Calendar = Schemas['SlaOut']['calendar'];

const WARNING_SHARE = 0.8;

export interface LiveClock {
  state: SlaState;
  /** Milliseconds until the due time; negative once overdue. */
  msToDue: number;
}

export function liveClock(clock: SlaClock, calendar: Calendar, fetchedAt: number, now: number): LiveClock {
  const msToDue = Date.parse(clock.due_at) - now;
  if (clock.state === 'met' || clock.state === 'paused' || clock.state === 'breached') {
    return { state: clock.state, msToDue };
  }
  if (msToDue <= 0) return { state: 'breached', msToDue };
  if (clock.state === 'warning') return { state: 'warning', msToDue };
  if (calendar === '24x7') {
    const target = clock.elapsed_minutes + clock.remaining_minutes;
    const elapsed = clock.elapsed_minutes + (now - fetchedAt) / 60_000;
    if (target > 0 && elapsed >= WARNING_SHARE * target) return { state: 'warning', msToDue };
  }
  return { state: 'ok', msToDue };
}

/** The clock a list shows: the first response until it is met, then the resolution. */
export function headlineClock(sla: Schemas['SlaOut']): ['first_response' | 'resolution', SlaClock] {
  return sla.first_response.state === 'met' ? ['resolution', sla.resolution] : ['first_response', sla.first_response];
}

interface Parts {
  d: number;
  h: number;
  m: number;
  s: number;
}

/** The two largest units of a duration (1d 3h, 3h 12m, 12m 5s). */
export function durationParts(ms: number): Partial<Parts> {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return { d, h };
  if (h > 0) return { h, m };
  return { m, s };
}

/** The working day's length in minutes for business hours `[opens, closes)` ('09:00:00'). */
export function workdayMinutes(opens: string, closes: string): number {
  const minutes = (clock: string) => {
    const [h = 0, m = 0] = clock.split(':').map(Number);
    return h * 60 + m;
  };
  return Math.max(1, minutes(closes) - minutes(opens));
}

/** An SLA target in the units people plan in: whole days of `dayMinutes` (a working day on
 *  the business calendar, 24 hours around the clock), then hours, then minutes; zeros left
 *  out (540 working minutes of a 9-hour day are 1 day; 600 are 1 day 1 hour). */
export function targetParts(minutes: number, dayMinutes: number): { d?: number; h?: number; m?: number } {
  const d = Math.floor(minutes / dayMinutes);
  const rest = minutes - d * dayMinutes;
  const h = Math.floor(rest / 60);
  const m = rest % 60;
  return Object.fromEntries(Object.entries({ d, h, m }).filter(([, n]) => n > 0));
}
