// Between a customer and its form: pickers hold dayjs values in the configured zone, the API
// takes ISO strings and null for "no value"; an edit sends only what changed, so unchanged
// fields (masked ones, ones the role may not set) never travel back.
import type { Dayjs } from 'dayjs';
import type { Schemas } from '../api/client';
import { dateFromPicker, dateToPicker, fromPicker, toPicker } from './time';

type Customer = Schemas['CustomerOut'];
type CustomField = Schemas['CustomFieldOut'];
export type FormValues = Record<string, unknown> & { custom_fields?: Record<string, unknown> };

const DATE_TIMES = new Set(['first_contact_at']);
const DATES = new Set(['birthday']);

export function initialValues(customer: Customer | undefined, fields: CustomField[]): FormValues {
  if (!customer) return { stage: 'potential', custom_fields: {} };
  const custom: Record<string, unknown> = {};
  for (const f of fields) {
    const value = customer.custom_fields[f.key];
    custom[f.key] =
      f.type === 'date' ? dateToPicker(value as string | undefined) : f.type === 'number' && value != null ? Number(value) : value;
  }
  return {
    ...customer,
    birthday: dateToPicker(customer.birthday),
    first_contact_at: toPicker(customer.first_contact_at),
    tag_ids: customer.tags.map((t) => t.id),
    custom_fields: custom,
  };
}

const empty = (value: unknown) => value === '' || value === undefined || value === null;

/** The API's values for the form's: ISO dates, null for empty. */
export function apiValues(values: FormValues, fields: CustomField[]): FormValues {
  const out: FormValues = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'custom_fields') continue;
    if (DATES.has(key)) out[key] = dateFromPicker(value as Dayjs | null);
    else if (DATE_TIMES.has(key)) out[key] = fromPicker(value as Dayjs | null);
    else out[key] = empty(value) ? null : value;
  }
  const custom: Record<string, unknown> = {};
  for (const f of fields) {
    const value = values.custom_fields?.[f.key];
    custom[f.key] = f.type === 'date' ? dateFromPicker(value as Dayjs | null) : empty(value) ? null : value;
  }
  out.custom_fields = custom;
  return out;
}

/** A create sends only the fields given. */
export function createValues(values: FormValues): FormValues {
  const out: FormValues = Object.fromEntries(
    Object.entries(values).filter(([k, v]) => k !== 'custom_fields' && k !== 'primary_contact' && !empty(v)),
  );
  out.custom_fields = Object.fromEntries(Object.entries(values.custom_fields ?? {}).filter(([, v]) => !empty(v)));
  const contact = filledIn(values.primary_contact as Record<string, unknown> | undefined);
  if (contact) out.primary_contact = contact;
  return out;
}

/** The fields of a group that hold something (blank text counts as nothing); none: undefined. */
export function filledIn(values: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const filled = Object.entries(values ?? {}).filter(([, v]) => !empty(typeof v === 'string' ? v.trim() : v));
  return filled.length > 0 ? Object.fromEntries(filled) : undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** An edit sends only the fields (and custom fields) that changed. */
export function changedValues(before: FormValues, after: FormValues): FormValues {
  const out: FormValues = {};
  for (const [key, value] of Object.entries(after)) {
    if (key === 'custom_fields') {
      const changed = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).filter(([k, v]) => !same(before.custom_fields?.[k], v)),
      );
      if (Object.keys(changed).length) out.custom_fields = changed;
    } else if (!same(before[key], value)) {
      out[key] = value;
    }
  }
  return out;
}
