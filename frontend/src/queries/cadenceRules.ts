import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';

export const cadenceKeys = { all: ['cadence-rules'] as const };

export function useCadenceRules() {
  return useQuery({
    queryKey: cadenceKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/cadence-rules')),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: cadenceKeys.all });
}

export function useSetCadenceRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ stage, days }: { stage: Schemas['Stage']; days: number }) =>
      unwrap(
        await api.PUT('/api/v1/cadence-rules/{stage}', {
          params: { path: { stage } },
          body: { interval_days: days },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteCadenceRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (stage: Schemas['Stage']) =>
      unwrap(await api.DELETE('/api/v1/cadence-rules/{stage}', { params: { path: { stage } } })),
    onSuccess: invalidate,
  });
}
