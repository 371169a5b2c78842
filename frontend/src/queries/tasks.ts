import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export interface TaskFilters {
  owner?: string;
  customer_id?: number;
  done?: boolean;
}

export const taskKeys = {
  all: ['tasks'] as const,
  list: (filters: TaskFilters) => ['tasks', 'list', filters] as const,
};

export function useTasks(filters: TaskFilters) {
  return useInfiniteQuery({
    queryKey: taskKeys.list(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/tasks', {
          params: { query: { ...filters, limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // A task's create/complete is on the customer's history too.
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: taskKeys.all }), client.invalidateQueries({ queryKey: ['customers', 'detail'] })]);
}

export function useCreateTask() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['TaskCreate']) => unwrap(await api.POST('/api/v1/tasks', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateTask() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['TaskPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/tasks/{task_id}', {
          params: { path: { task_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useCompleteTask() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.POST('/api/v1/tasks/{task_id}/complete', {
          params: { path: { task_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}
