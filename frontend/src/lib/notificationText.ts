// A notification in the reader's language from its kind and parameters; the stored Chinese
// title only for rows written before notifications carried parameters (or unknown kinds).
import type { TFunction } from 'i18next';
import type { Schemas } from '../api/client';

type Notification = Pick<Schemas['NotificationOut'], 'kind' | 'title' | 'params'>;

export function notificationText(t: TFunction, n: Notification): string {
  const params = n.params as Record<string, unknown> | null | undefined;
  if (!params) return n.title;
  const variant =
    typeof params.target === 'string'
      ? `${n.kind}.${params.target}`
      : n.kind === 'ticket_assigned' && params.new
        ? 'ticket_assigned_new'
        : n.kind;
  const key = `notificationText.${variant}`;
  if (!t(key as 'notificationText.mention', { defaultValue: '' })) return n.title;
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
