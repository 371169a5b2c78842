// Numbers people read: phones in their national grouping, amounts in yuan, times relative.
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';

dayjs.extend(relativeTime);

/**
 * +86 mobiles as `138 0013 8000` (masked ones as `138 **** 5678`), +86 landlines with their
 * trunk 0 and area code (`010 8888 6666`, `0571 8888 6666`); other countries international
 * (`+1 650 253 0000`-like groups of the rest); anything not E.164 as it came.
 */
export function formatPhone(value: string | null | undefined): string {
  if (!value) return '—';
  const national = value.startsWith('+86') ? value.slice(3) : null;
  if (national !== null) {
    if (/^1[\d*]{10}$/.test(national)) return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
    if (/^[\d*]{9,11}$/.test(national)) {
      const area = /^(10|2\d)/.test(national) ? 2 : 3;
      const rest = national.slice(area);
      const half = rest.length - 4;
      return `0${national.slice(0, area)} ${rest.slice(0, half)} ${rest.slice(half)}`;
    }
    return value;
  }
  const m = value.match(/^\+(1|7|\d{2})(\d+)$/);
  if (!m) return value;
  const rest = m[2]!.replace(/(\d{3,4})(?=\d{4}$)/, '$1 ');
  return `+${m[1]} ${rest}`;
}

/** The `tel:` link of a phone (masked ones cannot be dialled). */
export function telHref(value: string | null | undefined): string | undefined {
  return value && !value.includes('*') ? `tel:${value}` : undefined;
}

const CNY = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 });

/** A CNY decimal string (`"50000.00"`) as `¥50,000.00`; the API's strings are exact, so only
 * the grouping is added (no float rounding of large amounts). */
export function formatMoney(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = String(value);
  const m = text.match(/^(-?)(\d+)(?:\.(\d+))?$/);
  if (!m) return CNY.format(Number(text));
  const whole = m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (m[3] ?? '').padEnd(2, '0');
  return `${m[1]}¥${whole}.${cents}`;
}

/** "3 小时前" / "3 hours ago" (dayjs's locale follows the UI language). */
export function fromNow(iso: string | null | undefined): string {
  return iso ? dayjs(iso).fromNow() : '—';
}
