import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';

export const routingRuleKeys = { all: ['routing-rules'] as const };

export function useRoutingRules() {
  return useQuery({
    queryKey: routingRuleKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/routing-rules')),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: routingRuleKeys.all });
}

export function useSetRoutingRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ type, departmentId }: { type: Schemas['TicketType']; departmentId: number }) =>
      unwrap(
        await api.PUT('/api/v1/routing-rules/{ticket_type}', {
          params: { path: { ticket_type: type } },
          body: { department_id: departmentId },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useResetRoutingRule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (type: Schemas['TicketType']) =>
      unwrap(
        await api.DELETE('/api/v1/routing-rules/{ticket_type}', {
          params: { path: { ticket_type: type } },
        }),
      ),
    onSuccess: invalidate,
  });
}
