import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';

export type Report = Schemas['ReportOut'];

export const reportKeys = {
  all: ['reports'] as const,
  list: ['reports', 'list'] as const,
  alerts: ['alerts'] as const,
};

export function useReports() {
  return useQuery({
    queryKey: reportKeys.list,
    queryFn: async () => unwrap(await api.GET('/api/v1/reports')),
    // A new report is made after the answer: look again until every one is done.
    refetchInterval: (query) => (query.state.data?.some((r) => r.status === 'pending') ? 1000 : false),
  });
}

export function useCreateReport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['ReportCreate']) => unwrap(await api.POST('/api/v1/reports', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: reportKeys.all }),
  });
}

/** Fetch a report file with the session's token and hand it to the browser as a download. */
export async function downloadReport(report: Report, format: 'xlsx' | 'pdf'): Promise<void> {
  const blob = unwrap(
    await api.GET('/api/v1/reports/{report_id}/files/{fmt}', {
      params: { path: { report_id: report.id, fmt: format } },
      parseAs: 'blob',
    }),
  ) as Blob;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `report-${report.period}-${report.first_day}.${format}`;
  link.click();
  URL.revokeObjectURL(url);
}

export function useAlerts(enabled: boolean) {
  return useQuery({
    queryKey: reportKeys.alerts,
    queryFn: async () => unwrap(await api.GET('/api/v1/alerts', { params: { query: { limit: 10 } } })),
    enabled,
  });
}
