// Times come from the API in UTC and are shown, picked and filtered in the configured zone
// (the business calendar's, Asia/Shanghai by default), whatever the browser's zone is.
import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);

let zone = 'Asia/Shanghai';

export function setZone(name: string): void {
  zone = name;
}

export function zoneName(): string {
  return zone;
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).tz(zone).format('YYYY-MM-DD HH:mm') : '—';
}

/** A picker value (the browser's dayjs) holding the zone's wall-clock time of `iso`. */
export function toPicker(iso: string | null | undefined): Dayjs | null {
  return iso ? dayjs(dayjs(iso).tz(zone).format('YYYY-MM-DDTHH:mm:ss')) : null;
}

/** The instant a picked wall-clock time means in the zone, as ISO 8601 with its offset. */
export function fromPicker(value: Dayjs | null | undefined): string | null {
  return value ? dayjs.tz(value.format('YYYY-MM-DDTHH:mm:ss'), zone).format() : null;
}

/** Today in the zone (not the browser's) as a date picker value: what "today" means for
 *  defaults, due dates and periods. Its format('YYYY-MM-DD') is the zone's date. */
export function todayInZone(): Dayjs {
  return dayjs(dayjs().tz(zone).format('YYYY-MM-DD'));
}

/** A date-only value (birthday, date filters) for a date picker and back. */
export function dateToPicker(date: string | null | undefined): Dayjs | null {
  return date ? dayjs(date) : null;
}

export function dateFromPicker(value: Dayjs | null | undefined): string | null {
  return value ? value.format('YYYY-MM-DD') : null;
}

export function setDayjsLocale(language: string): void {
  dayjs.locale(language === 'en' ? 'en' : 'zh-cn');
}
