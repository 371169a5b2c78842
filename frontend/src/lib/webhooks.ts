// Webhooks in the user's language: the event types grouped by what they are about, and a
// delivery's outcome (the receiver's status code, or why there was no answer).
import type { TFunction } from 'i18next';
import type { Schemas } from '../api/client';

type EventType = Schemas['WebhookCreate']['event_types'][number];

/** The create form's event types, grouped by resource; every event type is in one group. */
export const EVENT_GROUPS: readonly { key: 'customers' | 'tickets' | 'sales'; events: readonly EventType[] }[] = [
  { key: 'customers', events: ['customer.created', 'customer.updated', 'customer.deleted'] },
  { key: 'tickets', events: ['ticket.status_changed', 'ticket.sla_breached'] },
  { key: 'sales', events: ['follow_up.created', 'opportunity.stage_changed', 'order.created'] },
];

/** "customer.created" as 新建客户; `ping` (a test delivery) as 测试事件. */
export function eventLabel(t: TFunction, type: string): string {
  return String(t(`webhooks.events.${type}` as 'webhooks.events.ping', { defaultValue: t('webhooks.events.unknown') }));
}

/** Why a delivery got no answer, from the job's error text (jobs/webhooks.py): the httpx
 *  exception's class, or the URL check's refusal. */
export function deliveryError(t: TFunction, error: string | null | undefined): string {
  if (!error) return '';
  if (/^HTTP \d+$/.test(error)) return t('webhooks.errors.status');
  if (/Timeout/.test(error)) return t('webhooks.errors.timeout');
  if (/^ConnectError/.test(error)) return t('webhooks.errors.connect');
  if (/private or reserved address/.test(error)) return t('webhooks.errors.private');
  if (/does not resolve/.test(error)) return t('webhooks.errors.resolve');
  return t('webhooks.errors.other');
}
