import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, freshAccess, unwrap, type Problem, type Schemas } from '../api/client';
import type { paths } from '../api/schema.gen';
import { getTokens } from '../auth/session';
import { ticketKeys } from './tickets';

export const attachmentKeys = {
  all: ['attachments'] as const,
  ofTicket: (ticketId: number) => ['attachments', ticketId] as const,
};

export function useAttachments(ticketId: number) {
  return useQuery({
    queryKey: attachmentKeys.ofTicket(ticketId),
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/tickets/{ticket_id}/attachments', {
          params: { path: { ticket_id: ticketId } },
        }),
      ),
  });
}

const UPLOAD: keyof paths = '/api/v1/tickets/{ticket_id}/attachments';

/** XMLHttpRequest rather than fetch: only it reports upload progress. */
function send(
  url: string,
  file: File,
  access: string | undefined,
  onProgress: (percent: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (access) xhr.setRequestHeader('Authorization', `Bearer ${access}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

export function useUploadAttachment(ticketId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, onProgress }: { file: File; onProgress: (percent: number) => void }) => {
      const url = UPLOAD.replace('{ticket_id}', String(ticketId));
      const used = getTokens()?.access;
      let result = await send(url, file, used, onProgress);
      if (result.status === 401) {
        const access = await freshAccess(used);
        if (access) result = await send(url, file, access, onProgress);
      }
      if (result.status >= 400) throw new ApiError(result.status, result.body as Problem | null);
      return result.body as Schemas['AttachmentOut'];
    },
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: attachmentKeys.ofTicket(ticketId) }),
        client.invalidateQueries({ queryKey: ticketKeys.timeline(ticketId) }),
      ]),
  });
}

/** Fetch an attachment with the session's token and hand it to the browser as a download. */
export async function downloadAttachment(attachment: Schemas['AttachmentOut']): Promise<void> {
  const blob = unwrap(
    await api.GET('/api/v1/tickets/{ticket_id}/attachments/{attachment_id}', {
      params: { path: { ticket_id: attachment.ticket_id, attachment_id: attachment.id } },
      parseAs: 'blob',
    }),
  ) as Blob;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = attachment.filename;
  link.click();
  URL.revokeObjectURL(url);
}
