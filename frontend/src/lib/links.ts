import type { Schemas } from '../api/client';

/** Where a notification leads: the record it is about, or for an admin told of a new change
 * request, the approvals page; of a failing webhook, the webhooks page. */
export function notificationLink(n: Schemas['NotificationOut']): string | null {
  if (n.kind === 'export_ready' && n.body) return `/downloads?file=${encodeURIComponent(n.body.split('/').pop() ?? '')}`;
  if (n.entity_id == null) return null;
  if (n.entity_type === 'ticket') return `/tickets/${n.entity_id}`;
  if (n.entity_type === 'customer') return `/customers/${n.entity_id}`;
  if (n.entity_type === 'report') return '/reports';
  if (n.entity_type === 'trend_alert') return '/';
  if (n.kind === 'change_request_pending') return '/admin/change-requests';
  if (n.entity_type === 'webhook_subscription') return '/admin/webhooks'; // webhook_failing, to admins
  return null;
}
