import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import type { paths } from '../api/schema.gen';
import { pageRequest, withoutPaging, type CustomerQuery } from '../lib/listQueries';
import { totalOf, useListCount } from './listCount';

export const customerKeys = {
  all: ['customers'] as const,
  list: (query: CustomerQuery) => ['customers', 'list', query] as const,
  count: (query: CustomerQuery) => ['customers', 'count', withoutPaging(query)] as const,
  detail: (id: number) => ['customers', 'detail', id] as const,
  history: (id: number, kind?: string) => ['customers', 'detail', id, 'history', kind ?? 'all'] as const,
};

/** A page of the list; the first page's total is kept under the filters' count key. */
export function useCustomers(query: CustomerQuery) {
  const client = useQueryClient();
  return useQuery({
    queryKey: customerKeys.list(query),
    queryFn: async () => {
      const page = unwrap(await api.GET('/api/v1/customers', { params: { query: pageRequest(query) } }));
      const total = totalOf(page);
      if (total) client.setQueryData(customerKeys.count(query), total);
      return page;
    },
    placeholderData: keepPreviousData,
  });
}

/** How many customers match the list's filters (useListCount). */
export function useCustomerCount(query: CustomerQuery) {
  return useListCount(customerKeys.count(query), query.cursor !== undefined, async (exact) =>
    totalOf(
      unwrap(
        await api.GET('/api/v1/customers', {
          params: { query: { ...withoutPaging(query), limit: 1, ...(exact ? { exact_total: true } : { with_total: true }) } },
        }),
      ),
    ),
  );
}

/** Customers whose name contains `name`, for pickers (not counted: no `with_total`). */
export function useCustomerSearch(name: string) {
  return useQuery({
    queryKey: ['customers', 'picker', name] as const,
    queryFn: async () => unwrap(await api.GET('/api/v1/customers', { params: { query: { name: name || undefined, limit: 20 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(id: number, enabled = true) {
  return useQuery({
    queryKey: customerKeys.detail(id),
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}', {
          params: { path: { customer_id: id } },
        }),
      ),
  });
}

export type HistoryKind = NonNullable<
  NonNullable<paths['/api/v1/customers/{customer_id}/history']['get']['parameters']['query']>['entity_type']
>;

/** The customer's activity timeline (its audit trail), optionally one kind of record. */
export function useCustomerHistory(id: number, kind?: HistoryKind) {
  return useInfiniteQuery({
    queryKey: customerKeys.history(id, kind),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/history', {
          params: { path: { customer_id: id }, query: { limit: 50, cursor: pageParam, entity_type: kind } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: customerKeys.all });
}

export function useCreateCustomer() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['CustomerCreate']) => unwrap(await api.POST('/api/v1/customers', { body })),
    onSuccess: invalidate,
  });
}

/** The customer as saved, or (202) the change requests its key fields wait in. */
export async function updateCustomer(id: number, version: number, body: Schemas['CustomerPatch']) {
  return unwrap(
    await api.PATCH('/api/v1/customers/{customer_id}', {
      params: { path: { customer_id: id }, header: ifMatch(version) },
      body,
    }),
  );
}

export function useUpdateCustomer(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ version, body }: { version: number; body: Schemas['CustomerPatch'] }) => updateCustomer(id, version, body),
    onSuccess: invalidate,
  });
}

/** The customers a new one would repeat (same name, credit code or ID number). */
export function useSameCustomers(query: { name?: string; credit_code?: string; id_number?: string }) {
  return useQuery({
    queryKey: ['customers', 'same-as', query],
    queryFn: async () => unwrap(await api.GET('/api/v1/customers/same-as', { params: { query } })),
    enabled: Object.keys(query).length > 0,
    staleTime: 30_000,
  });
}

export function useArchiveCustomer(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, reason }: { version: number; reason: string }) =>
      unwrap(
        await api.POST('/api/v1/customers/{customer_id}/archive', {
          params: { path: { customer_id: id }, header: ifMatch(version) },
          body: { reason },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useUnarchiveCustomer(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, reason }: { version: number; reason: string }) =>
      unwrap(
        await api.POST('/api/v1/customers/{customer_id}/unarchive', {
          params: { path: { customer_id: id }, header: ifMatch(version) },
          body: { reason },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteCustomer(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (version: number) =>
      unwrap(
        await api.DELETE('/api/v1/customers/{customer_id}', {
          params: { path: { customer_id: id }, header: ifMatch(version) },
        }),
      ),
    onSuccess: () => {
      client.removeQueries({ queryKey: customerKeys.detail(id) });
      return client.invalidateQueries({ queryKey: customerKeys.all });
    },
  });
}

export function useAssignTags() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ customerId, tagIds }: { customerId: number; tagIds: number[] }) =>
      unwrap(
        await api.POST('/api/v1/customers/{customer_id}/tags', {
          params: { path: { customer_id: customerId } },
          body: { tag_ids: tagIds },
        }),
      ),
    onSettled: () =>
      Promise.all([client.invalidateQueries({ queryKey: customerKeys.all }), client.invalidateQueries({ queryKey: ['tags'] })]),
  });
}

export function useUnassignTag(customerId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (tagId: number) =>
      unwrap(
        await api.DELETE('/api/v1/customers/{customer_id}/tags/{tag_id}', {
          params: { path: { customer_id: customerId, tag_id: tagId } },
        }),
      ),
    onSettled: () =>
      Promise.all([client.invalidateQueries({ queryKey: customerKeys.all }), client.invalidateQueries({ queryKey: ['tags'] })]),
  });
}

/** The customer's value level and its RFM explanation (not for agents: amounts). */
export function useCustomerValue(id: number, enabled = true) {
  return useQuery({
    queryKey: [...customerKeys.detail(id), 'value'] as const,
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/value', {
          params: { path: { customer_id: id } },
        }),
      ),
  });
}

/** 核实: the owner or an admin checked the basic information (note kept on the history). */
export function useVerifyCustomer(id: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, note }: { version: number; note: string | null }) =>
      unwrap(
        await api.POST('/api/v1/customers/{customer_id}/verify', {
          params: { path: { customer_id: id }, header: ifMatch(version) },
          body: { note },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** The summary strip and tab counts of the customer page (one call). */
export function useCustomerSummary(id: number) {
  return useQuery({
    queryKey: [...customerKeys.detail(id), 'summary'] as const,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/summary', {
          params: { path: { customer_id: id } },
        }),
      ),
  });
}
