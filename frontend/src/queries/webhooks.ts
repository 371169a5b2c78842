import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  deliveries: (id: number) => ['webhooks', 'deliveries', id] as const,
  lastDelivery: (id: number) => ['webhooks', 'deliveries', id, 'last'] as const,
};

const PENDING_POLL_MS = 5_000; // the job sends within a minute; a test's result shows up by itself

export function useWebhooks() {
  return useQuery({
    queryKey: webhookKeys.list,
    queryFn: async () => unwrap(await api.GET('/api/v1/webhooks')),
  });
}

async function deliveryPage(id: number, limit: number, cursor?: string) {
  return unwrap(
    await api.GET('/api/v1/webhooks/{webhook_id}/deliveries', {
      params: { path: { webhook_id: id }, query: { limit, cursor } },
    }),
  );
}

/** The newest delivery of a subscription, for the list's "last delivery" column. */
export function useLastDelivery(id: number) {
  return useQuery({
    queryKey: webhookKeys.lastDelivery(id),
    queryFn: async () => (await deliveryPage(id, 1)).items[0] ?? null,
    refetchInterval: (query) => (query.state.data?.state === 'pending' ? PENDING_POLL_MS : false),
  });
}

export function useDeliveries(id: number, limit = 20) {
  return useInfiniteQuery({
    queryKey: [...webhookKeys.deliveries(id), limit],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => deliveryPage(id, limit, pageParam),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((d) => d.state === 'pending')) ? PENDING_POLL_MS : false),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: webhookKeys.all });
}

// The answer of create carries the secret: gcTime 0 drops the finished mutation (and the secret
// in its data) from the cache as soon as the screen resets it.
export function useCreateWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['WebhookCreate']) => unwrap(await api.POST('/api/v1/webhooks', { body })),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

export function useUpdateWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, body }: { id: number; body: Schemas['WebhookPatch'] }) =>
      unwrap(await api.PATCH('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: id } }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) => unwrap(await api.DELETE('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useTestWebhook() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(await api.POST('/api/v1/webhooks/{webhook_id}/test', { params: { path: { webhook_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useRedeliver() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (deliveryId: number) =>
      unwrap(
        await api.POST('/api/v1/webhooks/deliveries/{delivery_id}/redeliver', {
          params: { path: { delivery_id: deliveryId } },
        }),
      ),
    onSuccess: invalidate,
  });
}
