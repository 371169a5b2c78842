import { Button, Result, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useRouteError } from 'react-router';

/** A screen's code that failed to load: a redeploy replaced its chunk, or the network is down. */
export function isChunkLoadError(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /dynamically imported module|Importing a module script failed|ChunkLoadError|Loading chunk|module script/i.test(text);
}

/**
 * The error boundary of each route: a friendly page with a reload button instead of the
 * router's developer page; the menu and header around it keep working.
 */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  const chunk = isChunkLoadError(error);
  return (
    <Result
      status={chunk ? 'warning' : 'error'}
      data-testid="route-error"
      title={chunk ? t('robust.chunkTitle') : t('robust.errorTitle')}
      subTitle={chunk ? t('robust.chunkDetail') : t('robust.errorDetail')}
      extra={
        <Space wrap style={{ justifyContent: 'center' }}>
          <Button type="primary" onClick={() => window.location.reload()} data-testid="reload">
            {t('robust.reload')}
          </Button>
          <Link to="/">
            <Button>{t('notFound.home')}</Button>
          </Link>
        </Space>
      }
    />
  );
}
