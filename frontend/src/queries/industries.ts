import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

/** GB/T 4754 sections and divisions; they do not change while the app runs. */
export function useIndustries() {
  return useQuery({
    queryKey: ['industries'],
    queryFn: async () => unwrap(await api.GET('/api/v1/industries')),
    staleTime: Infinity,
  });
}
