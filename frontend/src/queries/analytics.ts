import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import type { paths } from '../api/schema.gen';

export type Figure = Schemas['FigureOut'];
export type FigurePath =
  | '/api/v1/analytics/customers/new'
  | '/api/v1/analytics/customers/activity'
  | '/api/v1/analytics/customers/distribution'
  | '/api/v1/analytics/sales/funnel'
  | '/api/v1/analytics/sales/pool'
  | '/api/v1/analytics/service/volume'
  | '/api/v1/analytics/service/backlog'
  | '/api/v1/analytics/service/sla'
  | '/api/v1/analytics/service/agents'
  | '/api/v1/analytics/service/satisfaction'
  | '/api/v1/analytics/service/top-problems';
export type FigureQuery = NonNullable<paths['/api/v1/analytics/customers/new']['get']['parameters']['query']>;

export const analyticsKeys = {
  all: ['analytics'] as const,
  figure: (path: FigurePath, query: FigureQuery) => ['analytics', path, query] as const,
};

export function useFigure(path: FigurePath, query: FigureQuery, enabled = true) {
  return useQuery({
    queryKey: analyticsKeys.figure(path, query),
    queryFn: async () => unwrap(await api.GET(path, { params: { query } })) as Figure,
    placeholderData: keepPreviousData,
    enabled,
    staleTime: 60_000,
  });
}
