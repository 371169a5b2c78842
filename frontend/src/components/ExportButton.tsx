import { DownloadOutlined, FilePdfOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { download, exportParams } from '../lib/download';
import { problemMessage } from '../lib/problems';

/** "Export" on a list: the list's current filters and sort, as .xlsx or .csv. */
export function ExportButton({ path, query }: { path: string; query: object }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async (format: 'xlsx' | 'csv') => {
    setBusy(true);
    try {
      await download(`/api/v1${path}/export`, exportParams(query, format, i18n.language), `export.${format}`);
    } catch (error) {
      message.error(problemMessage(t, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dropdown
      menu={{
        items: [
          { key: 'xlsx', label: t('imports.exportXlsx'), onClick: () => void run('xlsx') },
          { key: 'csv', label: t('imports.exportCsv'), onClick: () => void run('csv') },
        ],
      }}>
      <Button icon={<DownloadOutlined />} loading={busy} data-testid="export-button">
        {t('imports.export')}
      </Button>
    </Dropdown>
  );
}

/** "PDF" on a customer or ticket page. */
export function PdfButton({ path, name }: { path: string; name: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      icon={<FilePdfOutlined />}
      loading={busy}
      data-testid="pdf-button"
      onClick={() => {
        setBusy(true);
        download(`/api/v1${path}/pdf`, null, `${name}.pdf`)
          .catch((error: unknown) => message.error(problemMessage(t, error)))
          .finally(() => setBusy(false));
      }}>
      PDF
    </Button>
  );
}
