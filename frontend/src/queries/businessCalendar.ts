import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export const businessCalendarKeys = { all: ['business-calendar'] as const };

export function useBusinessCalendar(enabled = true) {
  return useQuery({
    queryKey: businessCalendarKeys.all,
    enabled,
    queryFn: async () => unwrap(await api.GET('/api/v1/business-calendar')),
    staleTime: 10 * 60_000,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // Every ticket's SLA due times move with the calendar.
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: businessCalendarKeys.all }), client.invalidateQueries({ queryKey: ['tickets'] })]);
}

export function useUpdateBusinessHours() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ version, body }: { version: number; body: Schemas['BusinessHoursIn'] }) =>
      unwrap(await api.PUT('/api/v1/business-calendar', { params: { header: ifMatch(version) }, body })),
    onSuccess: invalidate,
  });
}

export function useSetCalendarOverride() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ day, body }: { day: string; body: Schemas['CalendarOverrideIn'] }) =>
      unwrap(
        await api.PUT('/api/v1/business-calendar/overrides/{day}', {
          params: { path: { day } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteCalendarOverride() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (day: string) => unwrap(await api.DELETE('/api/v1/business-calendar/overrides/{day}', { params: { path: { day } } })),
    onSuccess: invalidate,
  });
}
