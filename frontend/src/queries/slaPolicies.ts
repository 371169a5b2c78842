import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export const slaPolicyKeys = { all: ['sla-policies'] as const };

export function useSlaPolicies() {
  return useQuery({
    queryKey: slaPolicyKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/sla-policies')),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: slaPolicyKeys.all });
}

export function useCreateSlaPolicy() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['SlaPolicyCreate']) => unwrap(await api.POST('/api/v1/sla-policies', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateSlaPolicy() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['SlaPolicyPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/sla-policies/{policy_id}', {
          params: { path: { policy_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteSlaPolicy() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version }: { id: number; version: number }) =>
      unwrap(
        await api.DELETE('/api/v1/sla-policies/{policy_id}', {
          params: { path: { policy_id: id }, header: ifMatch(version) },
        }),
      ),
    onSuccess: invalidate,
  });
}
