import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

export const contactKeys = {
  all: ['contacts'] as const,
  ofCustomer: (customerId: number) => ['contacts', customerId] as const,
};

export function useContacts(customerId: number | undefined) {
  return useQuery({
    queryKey: contactKeys.ofCustomer(customerId ?? 0),
    enabled: customerId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/contacts', {
          params: { path: { customer_id: customerId ?? 0 } },
        }),
      ),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // A customer's warnings (fewer than two ways to reach it) change with its contacts.
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: contactKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]);
}

export function useCreateContact(customerId: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['ContactCreate']) =>
      unwrap(
        await api.POST('/api/v1/customers/{customer_id}/contacts', {
          params: { path: { customer_id: customerId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useUpdateContact(customerId: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['ContactPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/customers/{customer_id}/contacts/{contact_id}', {
          params: { path: { customer_id: customerId, contact_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteContact(customerId: number) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version }: { id: number; version: number }) =>
      unwrap(
        await api.DELETE('/api/v1/customers/{customer_id}/contacts/{contact_id}', {
          params: { path: { customer_id: customerId, contact_id: id }, header: ifMatch(version) },
        }),
      ),
    onSuccess: invalidate,
  });
}
