// The active conditions of a list as chips: one per condition, said in the reader's words
// (enum labels, user, department and tag names, dates), each knowing which URL parameters
// closing it removes. Pure, so every kind of condition is tested without rendering.
import dayjs from 'dayjs';
import type { EnumName } from '../selects';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export interface ChipLookups {
  t: Translate;
  user: (id: number) => string;
  department: (id: number) => string;
  tag: (id: number) => string;
  customer: (id: number) => string;
  /** An admin-defined field by key, labelled in the reader's language; undefined once deleted. */
  customField: (key: string) => { label: string; type: string } | undefined;
}

/** How a list's URL parameter reads as a chip; `label` is an i18n key. */
export type ChipSpec = { label: string } & (
  | { kind: 'text' | 'plain' | 'user' | 'department' | 'tag' | 'customer' | 'date' | 'days'; key: string }
  | { kind: 'enum'; key: string; enumName: EnumName; hide?: string }
  | { kind: 'flag'; key: string; text: string }
  | { kind: 'range'; from: string; to: string; values: 'date' | 'number' }
  | { kind: 'custom'; key: string }
);

export interface Chip {
  id: string;
  text: string;
  /** The URL parameters to set for the chip's condition to go (an empty list removes one). */
  remove: Record<string, string[]>;
}

type Params = Record<string, string | string[] | undefined>;

function list(value: string | string[] | undefined): string[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

export function formatDay(t: Translate, iso: string): string {
  const day = dayjs(iso);
  return day.isValid() ? day.format(t('filters.dateFormat')) : iso;
}

function range(t: Translate, from: string | undefined, to: string | undefined): string {
  if (from && to) return t('filters.between', { from, to });
  return from ? t('filters.since', { from }) : t('filters.until', { to });
}

function customChips(look: ChipLookups, conditions: string[]): Chip[] {
  const { t } = look;
  return conditions.map((condition, i) => {
    const [key = '', ...rest] = condition.split(':');
    const text = rest.join(':');
    const field = look.customField(key);
    let value: string;
    if (text.includes('..') && (field?.type === 'number' || field?.type === 'date')) {
      const [low = '', high = ''] = text.split('..');
      const show = (v: string) => (v && field.type === 'date' ? formatDay(t, v) : v);
      value = range(t, show(low), show(high));
    } else if (field?.type === 'bool') {
      value = text === 'true' ? t('common.yes') : t('common.no');
    } else {
      value = text
        .split('|')
        .map((v) => (field?.type === 'date' ? formatDay(t, v) : v))
        .join(t('filters.joiner'));
    }
    return {
      id: `custom:${condition}`,
      text: t('filters.chip', { label: field?.label ?? key, value }),
      remove: { custom: conditions.filter((_, j) => j !== i) },
    };
  });
}

function valueText(spec: ChipSpec & { key: string }, look: ChipLookups, value: string): string {
  const { t } = look;
  switch (spec.kind) {
    case 'enum':
      return t(`enums.${spec.enumName}.${value}`, { defaultValue: value });
    case 'user':
      return look.user(Number(value));
    case 'department':
      return look.department(Number(value));
    case 'tag':
      return look.tag(Number(value));
    case 'customer':
      return look.customer(Number(value));
    case 'date':
      return formatDay(t, value);
    case 'days':
      return t('filters.days', { n: value });
    case 'flag':
      return t(spec.text);
    default:
      return value;
  }
}

/** The chips of the conditions set in `params`, in the order of `specs`. */
export function chipsOf(specs: readonly ChipSpec[], params: Params, look: ChipLookups): Chip[] {
  const { t } = look;
  const chips: Chip[] = [];
  for (const spec of specs) {
    if (spec.kind === 'custom') {
      chips.push(...customChips(look, list(params[spec.key])));
      continue;
    }
    if (spec.kind === 'range') {
      const [from] = list(params[spec.from]);
      const [to] = list(params[spec.to]);
      if (!from && !to) continue;
      const show = (v: string | undefined) => (v && spec.values === 'date' ? formatDay(t, v) : v);
      chips.push({
        id: `${spec.from}..${spec.to}`,
        text: t('filters.chip', { label: t(spec.label), value: range(t, show(from), show(to)) }),
        remove: { [spec.from]: [], [spec.to]: [] },
      });
      continue;
    }
    let values = list(params[spec.key]);
    if (spec.kind === 'enum' && spec.hide !== undefined) values = values.filter((v) => v !== spec.hide);
    if (spec.kind === 'flag') values = values.filter((v) => v === 'true');
    if (values.length === 0) continue;
    chips.push({
      id: spec.key,
      text: t('filters.chip', {
        label: t(spec.label),
        value: values.map((v) => valueText(spec, look, v)).join(t('filters.joiner')),
      }),
      remove: { [spec.key]: [] },
    });
  }
  return chips;
}
