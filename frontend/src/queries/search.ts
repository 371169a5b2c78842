import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export type SearchHit = Omit<Schemas['SearchHitOut'], 'highlight'> & { highlight: number[] | null };
export type SearchGroup = Schemas['SearchGroupOut'];
export type SavedView = Schemas['SavedViewOut'];
type Resource = SavedView['resource'];

export const searchKeys = {
  all: ['search'] as const,
  query: (q: string, limit: number) => ['search', { q, limit }] as const,
};
export const viewKeys = {
  all: ['saved-views'] as const,
  list: (resource: Resource) => ['saved-views', 'list', resource] as const,
};

/** GET /search; nothing is asked for an empty query. */
export function useSearch(q: string, limit: number) {
  const text = q.trim();
  return useQuery({
    queryKey: searchKeys.query(text, limit),
    enabled: text.length > 0,
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/search', {
          params: { query: { q: text, limit, types: 'customers,contacts,tickets,opportunities' } },
          signal,
        }),
      ),
  });
}

export function useSavedViews(resource: Resource) {
  return useQuery({
    queryKey: viewKeys.list(resource),
    queryFn: async () => unwrap(await api.GET('/api/v1/saved-views', { params: { query: { resource } } })),
  });
}

export async function openView(key: string) {
  return unwrap(await api.GET('/api/v1/saved-views/{key}', { params: { path: { key } } }));
}

export function useSaveView() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['SavedViewIn']) => unwrap(await api.POST('/api/v1/saved-views', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: viewKeys.all }),
  });
}

export function useDeleteView() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => unwrap(await api.DELETE('/api/v1/saved-views/{view_id}', { params: { path: { view_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: viewKeys.all }),
  });
}

/** Rename or re-share a view (its owner, or an admin); the version guards against a lost update. */
export function useUpdateView() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['SavedViewPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/saved-views/{view_id}', {
          params: { path: { view_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: viewKeys.all }),
  });
}
