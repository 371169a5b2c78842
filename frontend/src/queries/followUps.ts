import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

export const followUpKeys = {
  all: ['follow-ups'] as const,
  ofCustomer: (customerId: number) => ['follow-ups', 'customer', customerId] as const,
  due: (owner: string) => ['follow-ups', 'due', owner] as const,
};

/** A customer's follow-ups, newest first, keyset-paged. */
export function useCustomerFollowUps(customerId: number) {
  return useInfiniteQuery({
    queryKey: followUpKeys.ofCustomer(customerId),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/follow-ups', {
          params: { path: { customer_id: customerId }, query: { limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** What is due or overdue today for `owner` ("me" or a user id). */
export function useDueFollowUps(owner: string) {
  return useInfiniteQuery({
    queryKey: followUpKeys.due(owner),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/follow-ups/due', {
          params: { query: { owner, limit: 100, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useCreateFollowUp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['FollowUpCreate']) => unwrap(await api.POST('/api/v1/follow-ups', { body })),
    // The customer's contact times, activity and history move with it, and so may opportunities.
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: followUpKeys.all }),
        client.invalidateQueries({ queryKey: customerKeys.all }),
        client.invalidateQueries({ queryKey: ['opportunities'] }),
      ]),
  });
}
