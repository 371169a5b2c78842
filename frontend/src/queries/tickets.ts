import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { pageRequest, withoutPaging, type TicketQuery } from '../lib/listQueries';
import { customerKeys } from './customers';
import { totalOf, useListCount } from './listCount';

export const ticketKeys = {
  all: ['tickets'] as const,
  list: (query: TicketQuery) => ['tickets', 'list', query] as const,
  count: (query: TicketQuery) => ['tickets', 'count', withoutPaging(query)] as const,
  detail: (id: number) => ['tickets', 'detail', id] as const,
  timeline: (id: number) => ['tickets', 'detail', id, 'timeline'] as const,
};

// SLA states are recomputed by the server on every read; a minute keeps badges honest between
// the live countdowns on the client.
const SLA_REFRESH = 60_000;

/** A page of the list; the first page's total is kept under the filters' count key. */
export function useTickets(query: TicketQuery) {
  const client = useQueryClient();
  return useQuery({
    queryKey: ticketKeys.list(query),
    queryFn: async () => {
      const page = unwrap(await api.GET('/api/v1/tickets', { params: { query: pageRequest(query) } }));
      const total = totalOf(page);
      if (total) client.setQueryData(ticketKeys.count(query), total);
      return page;
    },
    placeholderData: keepPreviousData,
    refetchInterval: SLA_REFRESH,
  });
}

/** How many tickets match the list's filters: as useCustomerCount. */
export function useTicketCount(query: TicketQuery) {
  return useListCount(ticketKeys.count(query), query.cursor !== undefined, async (exact) =>
    totalOf(
      unwrap(
        await api.GET('/api/v1/tickets', {
          params: { query: { ...withoutPaging(query), limit: 1, ...(exact ? { exact_total: true } : { with_total: true }) } },
        }),
      ),
    ),
  );
}

export function useTicket(id: number) {
  return useQuery({
    queryKey: ticketKeys.detail(id),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/tickets/{ticket_id}', {
          params: { path: { ticket_id: id } },
        }),
      ),
    refetchInterval: SLA_REFRESH,
  });
}

export function useTimeline(id: number) {
  return useQuery({
    queryKey: ticketKeys.timeline(id),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/tickets/{ticket_id}/timeline', {
          params: { path: { ticket_id: id } },
        }),
      ),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // Ticket changes show in the customer's history too.
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: ticketKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]);
}

export function useCreateTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['TicketCreate']) => unwrap(await api.POST('/api/v1/tickets', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateTicket(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, body }: { version: number; body: Schemas['TicketPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/tickets/{ticket_id}', {
          params: { path: { ticket_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useTransitionTicket(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, body }: { version: number; body: Schemas['TransitionIn'] }) =>
      unwrap(
        await api.POST('/api/v1/tickets/{ticket_id}/transitions', {
          params: { path: { ticket_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useAssignTicket(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, body }: { version: number; body: Schemas['AssignIn'] }) =>
      unwrap(
        await api.POST('/api/v1/tickets/{ticket_id}/assign', {
          params: { path: { ticket_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useCommentTicket(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['CommentIn']) =>
      unwrap(
        await api.POST('/api/v1/tickets/{ticket_id}/comments', {
          params: { path: { ticket_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useRecordException(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['ExceptionIn']) =>
      unwrap(
        await api.POST('/api/v1/tickets/{ticket_id}/exceptions', {
          params: { path: { ticket_id: id } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useResolveException(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ eventId, handling }: { eventId: number; handling: string }) =>
      unwrap(
        await api.POST('/api/v1/tickets/{ticket_id}/exceptions/{event_id}/resolve', {
          params: { path: { ticket_id: id, event_id: eventId } },
          body: { handling },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** Who a ticket may be given to, with their open tickets (supervisors and admins). */
export function useAssignees() {
  return useQuery({
    queryKey: ['tickets', 'assignees'] as const,
    queryFn: async () => unwrap(await api.GET('/api/v1/tickets/assignees')),
  });
}
