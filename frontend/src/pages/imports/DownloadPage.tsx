import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { download } from '../../lib/download';
import { problemMessage } from '../../lib/problems';

/** Where an "export ready" notification leads: the file a background export wrote. */
export default function DownloadPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [search] = useSearchParams();
  const file = search.get('file') ?? '';
  return (
    <Result
      status="success"
      title={t('imports.downloadTitle')}
      subTitle={t('imports.downloadHint')}
      extra={
        <Button
          type="primary"
          icon={<DownloadOutlined />}
          data-testid="download-export"
          onClick={() => {
            download(`/api/v1/exports/${encodeURIComponent(file)}`, null, file).catch((error: unknown) =>
              message.error(problemMessage(t, error)),
            );
          }}>
          {t('imports.downloadButton')}
        </Button>
      }
    />
  );
}
