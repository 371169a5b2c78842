import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';

export const apiKeyKeys = {
  all: ['api-keys'] as const,
  list: ['api-keys', 'list'] as const,
};

export function useApiKeys() {
  return useQuery({
    queryKey: apiKeyKeys.list,
    queryFn: async () => unwrap(await api.GET('/api/v1/api-keys')),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: apiKeyKeys.all });
}

// The answers of create and rotate carry a secret: gcTime 0 drops the finished mutation (and the
// secret in its data) from the cache as soon as the screen resets it.
export function useCreateApiKey() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['ApiKeyCreate']) => unwrap(await api.POST('/api/v1/api-keys', { body })),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

export function useRotateApiKey() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, graceHours }: { id: number; graceHours: number }) =>
      unwrap(
        await api.POST('/api/v1/api-keys/{key_id}/rotate', {
          params: { path: { key_id: id } },
          body: { grace_hours: graceHours },
        }),
      ),
    onSuccess: invalidate,
    gcTime: 0,
  });
}

export function useRevokeApiKey() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/api/v1/api-keys/{key_id}/revoke', { params: { path: { key_id: id } } })),
    onSuccess: invalidate,
  });
}
