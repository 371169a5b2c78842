import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

export const opportunityKeys = {
  all: ['opportunities'] as const,
  list: (query: object) => ['opportunities', 'list', query] as const,
  ofCustomer: (customerId: number) => ['opportunities', 'customer', customerId] as const,
};

/** A customer's opportunities (the first 200), for the customer page and the follow-up form. */
export function useCustomerOpportunities(customerId: number, enabled = true) {
  return useQuery({
    queryKey: opportunityKeys.ofCustomer(customerId),
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/opportunities', {
          params: { path: { customer_id: customerId }, query: { limit: 200 } },
        }),
      ),
  });
}

/** The opportunities the caller may see (the first 200), for the board. */
export function useOpportunities(query: { owner?: string; stale?: boolean } = {}) {
  return useQuery({
    queryKey: opportunityKeys.list(query),
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.GET('/api/v1/opportunities', { params: { query: { ...query, limit: 200 } } })),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // Winning moves the customer's stage and totals.
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: opportunityKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]);
}

export function useCreateOpportunity() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['OpportunityCreate']) => unwrap(await api.POST('/api/v1/opportunities', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateOpportunity() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['OpportunityPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/opportunities/{opportunity_id}', {
          params: { path: { opportunity_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useTransitionOpportunity() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, body }: { id: number; body: Schemas['OpportunityTransitionIn'] }) =>
      unwrap(
        await api.POST('/api/v1/opportunities/{opportunity_id}/transitions', {
          params: { path: { opportunity_id: id } },
          body,
        }),
      ),
    onSettled: invalidate,
  });
}
