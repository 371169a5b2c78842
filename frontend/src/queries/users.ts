import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export const userKeys = {
  all: ['users'] as const,
  list: ['users', 'list'] as const,
  me: ['users', 'me'] as const,
};

export function useUsers() {
  return useQuery({
    queryKey: userKeys.list,
    queryFn: async () => unwrap(await api.GET('/api/v1/users')),
    staleTime: 5 * 60_000,
  });
}

export function useMe() {
  return useQuery({
    queryKey: userKeys.me,
    queryFn: async () => unwrap(await api.GET('/api/v1/users/me')),
    staleTime: 5 * 60_000,
  });
}

/** A function naming a user id by display name, for tables and timelines. */
export function useUserName(): (id: number | null | undefined) => string {
  const users = useUsers().data ?? [];
  return (id) => (id == null ? '—' : users.find((u) => u.id === id)?.display_name ?? `#${id}`);
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: userKeys.all });
}

export function useCreateUser() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['UserCreate']) => unwrap(await api.POST('/api/v1/users', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['UserPatch'] }) =>
      unwrap(await api.PATCH('/api/v1/users/{user_id}', {
        params: { path: { user_id: id }, header: ifMatch(version) }, body })),
    onSuccess: invalidate,
  });
}
