import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ifMatch, unwrap, type Schemas } from '../api/client';

export const departmentKeys = { all: ['departments'] as const };

export function useDepartments() {
  return useQuery({
    queryKey: departmentKeys.all,
    queryFn: async () => unwrap(await api.GET('/api/v1/departments')),
    staleTime: 5 * 60_000,
  });
}

export function useDepartmentName(): (id: number | null | undefined) => string {
  const departments = useDepartments().data ?? [];
  return (id) => (id == null ? '—' : (departments.find((d) => d.id === id)?.name ?? `#${id}`));
}

function useInvalidate() {
  const client = useQueryClient();
  return () =>
    Promise.all([client.invalidateQueries({ queryKey: departmentKeys.all }), client.invalidateQueries({ queryKey: ['routing-rules'] })]);
}

export function useCreateDepartment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (body: Schemas['DepartmentCreate']) => unwrap(await api.POST('/api/v1/departments', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateDepartment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, version, body }: { id: number; version: number; body: Schemas['DepartmentPatch'] }) =>
      unwrap(
        await api.PATCH('/api/v1/departments/{department_id}', {
          params: { path: { department_id: id }, header: ifMatch(version) },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}
