// A notification in the reader's language from its kind and parameters; the stored Chinese
// title only for rows written before notifications carried parameters (or unknown kinds).
import type { TFunction } from 'i18next';
import type { Schemas } from '../api/client';

type Notification = Pick<Schemas['NotificationOut'], 'kind' | 'title' | 'params'>;

// A kind whose text depends on a parameter keeps its variants under the kind
// (sla_breach.first_response, pool_release.no_order); `default` is for rows written before
// the parameter was kept.
function textKey(t: TFunction, kind: string, params: Record<string, unknown>): string | null {
  const base = kind === 'ticket_assigned' && params.new ? 'ticket_assigned_new' : kind;
  const candidates = typeof params.target === 'string' ? [`${base}.${params.target}`] : [base, `${base}.default`];
  return (
    candidates
      .map((c) => `notificationText.${c}`)
      .find((key) => {
        const text: unknown = t(key as 'notificationText.mention', { returnObjects: true, defaultValue: '' });
        return typeof text === 'string' && text !== '';
      }) ?? null
  );
}

export function notificationText(t: TFunction, n: Notification): string {
  const params = n.params as Record<string, unknown> | null | undefined;
  if (!params) return n.title;
  const key = textKey(t, n.kind, params);
  if (key === null) return n.title;
  const fields = Array.isArray(params.fields)
    ? params.fields
        .map((f) => t(`customer.fields.${String(f)}` as 'customer.fields.name', { defaultValue: String(f) }))
        .join(t('notificationText.separator'))
    : '';
  return String(
    t(key as 'notificationText.mention', {
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
      fields,
    }),
  );
}
