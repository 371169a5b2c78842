import { describe, expect, it } from 'vitest';
import type { Schemas } from '../api/client';
import { notificationLink } from './links';

const note = (over: Partial<Schemas['NotificationOut']>): Schemas['NotificationOut'] => ({
  id: 1,
  kind: 'sla_warning',
  title: 't',
  body: null,
  entity_type: 'ticket',
  entity_id: 7,
  created_at: '2026-12-04T02:00:00Z',
  read_at: null,
  ...over,
});

describe('where a notification leads', () => {
  it('to the ticket or the customer it is about', () => {
    expect(notificationLink(note({}))).toBe('/tickets/7');
    expect(notificationLink(note({ kind: 'dormant', entity_type: 'customer', entity_id: 9 }))).toBe('/customers/9');
  });

  it('an admin told of a new change request, to the approvals page', () => {
    expect(notificationLink(note({ kind: 'change_request_pending', entity_type: 'change_request' }))).toBe('/admin/change-requests');
  });

  it('an admin told of a failing webhook, to the webhooks page', () => {
    expect(notificationLink(note({ kind: 'webhook_failing', entity_type: 'webhook_subscription', entity_id: 3 }))).toBe('/admin/webhooks');
  });

  it('nowhere when it names no record, or only a decided request', () => {
    expect(notificationLink(note({ entity_type: null, entity_id: null }))).toBeNull();
    expect(notificationLink(note({ kind: 'change_request_approved', entity_type: 'change_request' }))).toBeNull();
  });

  it('a finished background export, to its download page', () => {
    expect(
      notificationLink(
        note({
          kind: 'export_ready',
          entity_type: null,
          entity_id: null,
          body: '/api/v1/exports/3-0123456789abcdef0123456789abcdef.xlsx',
        }),
      ),
    ).toBe('/downloads?file=3-0123456789abcdef0123456789abcdef.xlsx');
  });
});
