import { DownloadOutlined, FileAddOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Segmented, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { dateFromPicker, dateToPicker, formatDateTime } from '../../lib/time';
import { downloadReport, useCreateReport, useReports, type Report } from '../../queries/reports';

type Kind = Report['period'];
const KINDS: Kind[] = ['daily', 'weekly', 'monthly'];
const STATUS_COLOR = { pending: 'processing', done: 'success', failed: 'error' } as const;

export default function ReportsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reports = useReports();
  const create = useCreateReport();
  const [kind, setKind] = useState<Kind>('weekly');
  const [start, setStart] = useState<string | null>(null);
  const fail = () => message.error(t('reports.failed'));
  const kindLabel = (k: Kind) => t(`reports.kind.${k}` as 'reports.kind.daily');

  return (
    <PageCard
      title={t('reports.title')}
      actions={
        <Space wrap>
          <Segmented value={kind} onChange={(v) => setKind(v as Kind)} options={KINDS.map((k) => ({ value: k, label: kindLabel(k) }))} />
          <DatePicker
            style={{ width: 210 }}
            value={dateToPicker(start)}
            placeholder={t('reports.lastComplete')}
            onChange={(v) => setStart(dateFromPicker(v))}
          />
          <Button
            type="primary"
            icon={<FileAddOutlined />}
            loading={create.isPending}
            data-testid="create-report"
            onClick={() => create.mutate({ period: kind, ...(start ? { start } : {}) }, { onError: fail })}>
            {t('reports.create')}
          </Button>
        </Space>
      }>
      <QueryState query={reports}>
        {(data) => (
          <Table<Report>
            rowKey="id"
            dataSource={data}
            pagination={false}
            scroll={{ x: true }}
            data-testid="reports"
            locale={{ emptyText: t('reports.empty') }}
            columns={[
              { key: 'kind', title: t('reports.fields.period'), render: (_, r) => kindLabel(r.period) },
              { key: 'days', title: t('reports.fields.days'), render: (_, r) => `${r.first_day} – ${r.last_day}` },
              {
                key: 'status',
                title: t('reports.fields.status'),
                render: (_, r) => <Tag color={STATUS_COLOR[r.status]}>{t(`reports.status.${r.status}` as 'reports.status.done')}</Tag>,
              },
              { key: 'created', title: t('reports.fields.created_at'), render: (_, r) => formatDateTime(r.created_at) },
              {
                key: 'files',
                title: t('reports.fields.files'),
                render: (_, r) =>
                  r.status === 'done' && (
                    <Space>
                      <Button
                        size="small"
                        icon={<DownloadOutlined />}
                        data-testid={`download-xlsx-${r.id}`}
                        onClick={() => downloadReport(r, 'xlsx').catch(fail)}>
                        Excel
                      </Button>
                      <Button
                        size="small"
                        icon={<DownloadOutlined />}
                        data-testid={`download-pdf-${r.id}`}
                        onClick={() => downloadReport(r, 'pdf').catch(fail)}>
                        PDF
                      </Button>
                    </Space>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
    </PageCard>
  );
}
