import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '../api/client';

/** A list's total as the server gives it: exact up to 10,000, past that the planner's
 *  estimate (PostgreSQL) or "at least" (SQLite), unless an exact count was asked for. */
export type ListTotal = { total: number; accuracy: Schemas['TotalAccuracy'] };

export function totalOf(page: { total?: number | null; total_accuracy?: Schemas['TotalAccuracy'] | null }): ListTotal | null {
  return typeof page.total === 'number' ? { total: page.total, accuracy: page.total_accuracy ?? 'exact' } : null;
}

/**
 * How many rows match a list's filters, kept under `key`. The list's first page brings it;
 * later pages read it from the cache (kept until a write invalidates the resource). Only a
 * later page opened first (a reload, a shared link) asks for it, once, with a one-row page.
 * `askExact` counts every match on request and keeps that under the same key.
 */
export function useListCount(key: readonly unknown[], enabled: boolean, count: (exact: boolean) => Promise<ListTotal | null>) {
  const client = useQueryClient();
  const cached = useQuery({ queryKey: key, queryFn: () => count(false), enabled, staleTime: Infinity });
  const exact = useMutation({
    mutationFn: () => count(true),
    onSuccess: (total) => client.setQueryData(key, total),
  });
  return { data: cached.data, askExact: () => exact.mutate(), counting: exact.isPending };
}
