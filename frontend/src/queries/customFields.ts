import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export const customFieldKeys = { all: ['custom-fields'] as const };

export function useCustomFields() {
  return useQuery({
    queryKey: customFieldKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/custom-fields')),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: customFieldKeys.all });
}

export function useCreateCustomField() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['CustomFieldCreate']) => unwrap(await api.POST('/api/v1/custom-fields', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateCustomField() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['CustomFieldPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/custom-fields/{field_id}', {
          params: { path: { field_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteCustomField() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version }: { id: number; version: number }) =>
      unwrap(
        await api.DELETE('/api/v1/custom-fields/{field_id}', {
          params: { path: { field_id: id }, header: ifMatch(version) },
        }),
      ),
    onSuccess: invalidate,
  });
}
