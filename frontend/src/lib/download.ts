// Files from the API (exports, templates, reports, PDFs): fetched with the session's token,
// then handed to the browser as a download under the name the server gave.
import { ApiError, authFetch, type Problem } from '../api/client';

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  return encoded?.[1] ? decodeURIComponent(encoded[1]) : fallback;
}

export async function download(path: string, params: URLSearchParams | null, fallback: string): Promise<void> {
  const query = params && params.toString() ? `?${params.toString()}` : '';
  const response = await authFetch(new Request(`${globalThis.location.origin}${path}${query}`));
  if (!response.ok) {
    let problem: Problem | null = null;
    try {
      problem = (await response.json()) as Problem;
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, problem);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filenameOf(response, fallback);
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A list's API query as an export's: the same filters and sort, without paging. */
export function exportParams(query: object, format: 'xlsx' | 'csv', language: string): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (['cursor', 'limit', 'with_total'].includes(key) || value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  params.set('format', format);
  params.set('lang', language.startsWith('zh') ? 'zh' : 'en');
  return params;
}
