import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

export const backupKeys = { all: ['backups'] as const };

/** The backups, refreshed every 2 s while one is running. */
export function useBackups() {
  return useQuery({
    queryKey: backupKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/backups')),
    refetchInterval: (query) => (query.state.data?.some((b) => b.status === 'running') ? 2000 : false),
  });
}

export function useStartBackup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/backups')),
    onSuccess: () => client.invalidateQueries({ queryKey: backupKeys.all }),
  });
}

/** Downloads through the API client (the token is a header, so a plain link would not do). */
export async function downloadBackup(id: number, name: string): Promise<void> {
  const blob = unwrap(await api.GET('/api/v1/backups/{backup_id}/download', {
    params: { path: { backup_id: id } }, parseAs: 'blob' })) as Blob;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
