import { Button, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isNotFound } from '../api/client';
import { problemMessage } from '../lib/problems';
import { NotFound } from './NotFound';

interface Props<T> {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
}

/** A query's data, or its spinner, its "not found", or its error with a retry. */
export function QueryState<T>({ query, children }: Props<T>) {
  const { t } = useTranslation();
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) {
    if (isNotFound(query.error)) return <NotFound />;
    return (
      <Result
        status="error"
        title={problemMessage(t, query.error)}
        extra={<Button onClick={() => query.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin />
    </div>
  );
}
