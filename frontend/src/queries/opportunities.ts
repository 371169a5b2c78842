import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

type Stage = Schemas['OpportunityStage'];
/** What the board shows: one owner's ("me" or a user id), expected to close in one month ("2026-12"). */
export interface BoardFilters {
  owner?: string;
  close_month?: string;
}

export const opportunityKeys = {
  all: ['opportunities'] as const,
  list: (query: object) => ['opportunities', 'list', query] as const,
  stageTotals: (filters: BoardFilters) => ['opportunities', 'stage-totals', filters] as const,
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

/** One stage's opportunities, newest first, a page at a time: a column of the board. */
export function useStageOpportunities(stage: Stage, filters: BoardFilters) {
  return useInfiniteQuery({
    queryKey: opportunityKeys.list({ ...filters, stage }),
    placeholderData: keepPreviousData,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/opportunities', { params: { query: { ...filters, stage: [stage], limit: 50, cursor: pageParam } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** Count and amount per stage of every opportunity the filters select (the board's headers and forecast). */
export function useStageTotals(filters: BoardFilters) {
  return useQuery({
    queryKey: opportunityKeys.stageTotals(filters),
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.GET('/api/v1/opportunities/stage-totals', { params: { query: filters } })),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // The board's columns and stage totals are all under the prefix; winning moves the customer's stage and totals.
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
