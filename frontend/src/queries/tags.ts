import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { customerKeys } from './customers';

export const tagKeys = {
  all: ['tags'] as const,
  list: (unused: boolean) => ['tags', 'list', { unused }] as const,
};

export function useTags(unused = false) {
  return useQuery({
    queryKey: tagKeys.list(unused),
    queryFn: async () => unwrap(await api.GET('/api/v1/tags', { params: { query: { unused } } })),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // Renames and merges show on every customer carrying the tag.
  return () => Promise.all([client.invalidateQueries({ queryKey: tagKeys.all }), client.invalidateQueries({ queryKey: customerKeys.all })]);
}

export function useCreateTag() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['TagCreate']) => unwrap(await api.POST('/api/v1/tags', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateTag() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['TagPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/tags/{tag_id}', {
          params: { path: { tag_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteTag() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version }: { id: number; version: number }) =>
      unwrap(
        await api.DELETE('/api/v1/tags/{tag_id}', {
          params: { path: { tag_id: id }, header: ifMatch(version) },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useMergeTag() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, into }: { id: number; into: number }) =>
      unwrap(
        await api.POST('/api/v1/tags/{tag_id}/merge', {
          params: { path: { tag_id: id } },
          body: { into_tag_id: into },
        }),
      ),
    onSuccess: invalidate,
  });
}
