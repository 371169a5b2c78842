// Imports: upload (multipart, so through authFetch rather than the JSON client), the import
// record polled while it runs, revert.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, authFetch, unwrap, type Problem, type Schemas } from '../api/client';

export type ImportOut = Schemas['ImportOut'];
export type ImportMode = ImportOut['mode'];

export type ImportKind = ImportOut['kind'];

export interface ImportUpload {
  kind: ImportKind;
  file: File;
  mode: ImportMode;
  simulate?: 'insert_only' | 'upsert' | 'skip_duplicates';
  importValidRows?: boolean;
  mapping?: Record<string, string | null>;
  sheet?: string | null;
}

export async function uploadImport(upload: ImportUpload): Promise<ImportOut> {
  const form = new FormData();
  form.append('kind', upload.kind);
  form.append('mode', upload.mode);
  if (upload.simulate) form.append('simulate', upload.simulate);
  if (upload.importValidRows) form.append('import_valid_rows', 'true');
  if (upload.mapping && Object.keys(upload.mapping).length) form.append('mapping', JSON.stringify(upload.mapping));
  if (upload.sheet) form.append('sheet', upload.sheet);
  form.append('file', upload.file, upload.file.name);
  const response = await authFetch(new Request(`${globalThis.location.origin}/api/v1/imports`, { method: 'POST', body: form }));
  const body = (await response.json()) as ImportOut | Problem;
  if (!response.ok) throw new ApiError(response.status, body as Problem);
  return body as ImportOut;
}

export function useUploadImport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: uploadImport,
    onSuccess: (run) => {
      client.setQueryData(['imports', run.id], run);
      void client.invalidateQueries({ queryKey: ['customers'] });
    },
  });
}

const RUNNING = new Set(['queued', 'running']);

/** An import, polled every second while it runs. */
export function useImport(id: number | null) {
  return useQuery({
    queryKey: ['imports', id],
    enabled: id !== null,
    queryFn: async () => unwrap(await api.GET('/api/v1/imports/{import_id}', { params: { path: { import_id: id! } } })),
    refetchInterval: (query) => (query.state.data && RUNNING.has(query.state.data.status) ? 1000 : false),
  });
}

export function useRevertImport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/api/v1/imports/{import_id}/revert', { params: { path: { import_id: id } } })),
    onSuccess: (run) => {
      client.setQueryData(['imports', run.id], run);
      void client.invalidateQueries({ queryKey: ['customers'] });
    },
  });
}

export function useCancelImport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/api/v1/imports/{import_id}/cancel', { params: { path: { import_id: id } } })),
    onSuccess: (run) => client.setQueryData(['imports', run.id], run),
  });
}
