import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';
import { changeLanguage, storedLanguage, type Language } from '../i18n';

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

async function fetchMe(): Promise<Schemas['UserOut']> {
  return unwrap(await api.GET('/api/v1/users/me'));
}

/** Change one's own account (If-Match: the version read). */
export async function updateMe(version: number, body: Schemas['UserPatch']): Promise<Schemas['UserOut']> {
  return unwrap(await api.PATCH('/api/v1/users/me', { params: { header: ifMatch(version) }, body }));
}

export function useMe() {
  return useQuery({ queryKey: userKeys.me, queryFn: fetchMe, staleTime: 5 * 60_000 });
}

/** A function naming a user id by display name, for tables and timelines. */
export function useUserName(): (id: number | null | undefined) => string {
  const users = useUsers().data ?? [];
  return (id) => (id == null ? '—' : (users.find((u) => u.id === id)?.display_name ?? `#${id}`));
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
      unwrap(
        await api.PATCH('/api/v1/users/{user_id}', {
          params: { path: { user_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** Switch the app's language and keep it as the user's (the app opens in it at sign-in, and
 *  e-mails are written in it). The switch is immediate; a failed save is reported. */
export function useSetLanguage(): (language: Language) => Promise<void> {
  const client = useQueryClient();
  return async (language) => {
    changeLanguage(language);
    const me = await client.fetchQuery({ queryKey: userKeys.me, queryFn: fetchMe, staleTime: 0 });
    if (me.language === language) return;
    await updateMe(me.version, { language });
    await client.invalidateQueries({ queryKey: userKeys.all });
  };
}

/** After signing in: the app in the language the user chose, wherever they chose it. */
export async function applySavedLanguage(): Promise<void> {
  const me = await fetchMe();
  if (me.language !== storedLanguage()) changeLanguage(me.language);
}
