import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

type Status = Schemas['ChangeRequestStatus'];

export const changeRequestKeys = {
  all: ['change-requests'] as const,
  list: (status: Status | undefined) => ['change-requests', 'list', status ?? 'all'] as const,
};

export function useChangeRequests(status: Status | undefined) {
  return useQuery({
    queryKey: changeRequestKeys.list(status),
    placeholderData: keepPreviousData,
    queryFn: async () => unwrap(await api.GET('/api/v1/change-requests', { params: { query: { status, limit: 200 } } })),
  });
}

/** The pending requests on one customer that the user may read (all for admins, their own
 * otherwise). Kept under the customer's key, so that an edit that made requests refreshes it. */
export function usePendingChangeRequests(customerId: number) {
  return useQuery({
    queryKey: [...customerKeys.detail(customerId), 'change-requests'] as const,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/change-requests', {
          params: { query: { customer_id: customerId, status: 'pending', limit: 200 } },
        }),
      ),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // An approved request changes its customer.
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: changeRequestKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]);
}

export function useApproveChangeRequest() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.POST('/api/v1/change-requests/{request_id}/approve', {
          params: { path: { request_id: id } },
        }),
      ),
    onSettled: invalidate,
  });
}

export function useRejectChangeRequest() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, reason }: { id: number; reason: string }) =>
      unwrap(
        await api.POST('/api/v1/change-requests/{request_id}/reject', {
          params: { path: { request_id: id } },
          body: { reason },
        }),
      ),
    onSettled: invalidate,
  });
}

export function useWithdrawChangeRequest() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.POST('/api/v1/change-requests/{request_id}/withdraw', {
          params: { path: { request_id: id } },
        }),
      ),
    onSettled: invalidate,
  });
}
