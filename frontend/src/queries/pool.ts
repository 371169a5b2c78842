import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap } from '../api/client';
import { customerKeys } from './customers';

export interface PoolFilters {
  name?: string;
  region?: string;
  industry?: string;
  stage?: ('potential' | 'intent' | 'customer' | 'lost')[];
}

export const poolKeys = {
  all: ['pool'] as const,
  list: (filters: PoolFilters) => ['pool', 'list', filters] as const,
};

/** Pool customers, latest released first, page after page (keyset cursor). */
export function usePool(filters: PoolFilters) {
  return useInfiniteQuery({
    queryKey: poolKeys.list(filters),
    initialPageParam: undefined as string | undefined,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/pool', {
          params: { query: { ...filters, limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

function useInvalidatePoolAndCustomers() {
  const client = useQueryClient();
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: poolKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]);
}

export function useClaim() {
  const invalidate = useInvalidatePoolAndCustomers();
  return useMutation({
    mutationFn: async (customerId: number) =>
      unwrap(
        await api.POST('/api/v1/pool/{customer_id}/claim', {
          params: { path: { customer_id: customerId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** The owner's (or an admin's) "release to the pool", with a reason. */
export function useRelease(customerId: number) {
  const invalidate = useInvalidatePoolAndCustomers();
  return useMutation({
    mutationFn: async ({ version, reason }: { version: number; reason: string }) =>
      unwrap(
        await api.POST('/api/v1/customers/{customer_id}/release', {
          params: { path: { customer_id: customerId }, header: ifMatch(version) },
          body: { reason },
        }),
      ),
    onSuccess: invalidate,
  });
}
