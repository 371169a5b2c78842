import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

export const backupKeys = { all: ['backups'] as const };

async function listBackups() {
  return unwrap(await api.GET('/api/v1/backups'));
}

/** The backups, refreshed every 2 s while one is running. */
export function useBackups() {
  return useQuery({
    queryKey: backupKeys.all,
    queryFn: listBackups,
    refetchInterval: (query) => (query.state.data?.some((b) => b.status === 'running') ? 2000 : false),
  });
}

export function useStartBackup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/backups')),
    // The server answers before its background task has left any file, so a list read at once
    // can miss the new backup and stop refreshing; listing it as running keeps the 2 s refresh.
    onSuccess: (started) =>
      client.setQueryData(backupKeys.all, (list: Awaited<ReturnType<typeof listBackups>> | undefined) => [
        started,
        ...(list ?? []).filter((b) => b.id !== started.id),
      ]),
  });
}

/** Downloads through the API client (the token is a header, so a plain link would not do). */
export async function downloadBackup(id: number, name: string): Promise<void> {
  const blob = unwrap(
    await api.GET('/api/v1/backups/{backup_id}/download', {
      params: { path: { backup_id: id } },
      parseAs: 'blob',
    }),
  ) as Blob;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
