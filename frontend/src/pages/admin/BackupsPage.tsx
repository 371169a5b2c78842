import { App, Button, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { downloadBackup, useBackups, useStartBackup } from '../../queries/backups';

type Backup = Schemas['BackupOut'];
const COLORS: Record<string, string> = { complete: 'green', running: 'blue', failed: 'red' };

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Backups (admins): the nightly ones and those started here; restore is `crm restore FILE`. */
export default function BackupsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const backups = useBackups();
  const start = useStartBackup();
  const [downloading, setDownloading] = useState<number | null>(null);
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  const running = backups.data?.some((b) => b.status === 'running') ?? false;
  return (
    <PageCard
      title={t('backups.title')}
      actions={
        <Button
          type="primary"
          loading={start.isPending}
          disabled={running}
          data-testid="start-backup"
          onClick={() => start.mutate(undefined, { onSuccess: () => void message.success(t('backups.started')), onError: fail })}>
          {t('backups.start')}
        </Button>
      }>
      <Typography.Paragraph type="secondary">{t('backups.explain')}</Typography.Paragraph>
      <QueryState query={backups}>
        {(items) => (
          <Table<Backup>
            rowKey="id"
            size="small"
            dataSource={items}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('backups.empty') }}
            columns={[
              { key: 'at', title: t('backups.at'), render: (_, b) => formatDateTime(b.created_at) },
              {
                key: 'status',
                title: t('backups.status'),
                render: (_, b) => (
                  <Space orientation="vertical" size={0}>
                    <Tag color={COLORS[b.status]}>{t(`backups.statuses.${b.status}`, { defaultValue: b.status })}</Tag>
                    {b.error && <Typography.Text type="danger">{b.error}</Typography.Text>}
                  </Space>
                ),
              },
              { key: 'size', title: t('backups.size'), render: (_, b) => (b.status === 'complete' ? size(b.size) : '—') },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, b) =>
                  b.status === 'complete' && (
                    <Button
                      size="small"
                      loading={downloading === b.id}
                      onClick={() => {
                        setDownloading(b.id);
                        downloadBackup(b.id, b.name)
                          .catch(fail)
                          .finally(() => setDownloading(null));
                      }}>
                      {t('backups.download')}
                    </Button>
                  ),
              },
              { key: 'name', title: t('backups.file'), render: (_, b) => <Typography.Text code>{b.name}</Typography.Text> },
            ]}
          />
        )}
      </QueryState>
    </PageCard>
  );
}
