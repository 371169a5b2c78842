import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

export const orderKeys = {
  all: ['orders'] as const,
  ofCustomer: (customerId: number) => ['orders', 'customer', customerId] as const,
};

/** A customer's orders (the first 200). */
export function useCustomerOrders(customerId: number, enabled = true) {
  return useQuery({
    queryKey: orderKeys.ofCustomer(customerId),
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/customers/{customer_id}/orders', {
          params: { path: { customer_id: customerId }, query: { limit: 200 } },
        }),
      ),
  });
}

export function useCreateOrder(customerId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['OrderCreate']) =>
      unwrap(await api.POST('/api/v1/customers/{customer_id}/orders', { params: { path: { customer_id: customerId } }, body })),
    // The customer's cumulative amount and dates are recomputed with every order.
    onSuccess: () =>
      Promise.all([client.invalidateQueries({ queryKey: orderKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]),
  });
}
