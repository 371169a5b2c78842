import { DownloadOutlined, InboxOutlined, RollbackOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Flex,
  Popconfirm,
  Progress,
  Radio,
  Result,
  Select,
  Space,
  Statistic,
  Steps,
  Table,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { download } from '../../lib/download';
import { problemMessage } from '../../lib/problems';
import { uploadProblem } from './uploadProblem';
import {
  useCancelImport,
  useImport,
  useRevertImport,
  useUploadImport,
  type ImportKind,
  type ImportMode,
  type ImportOut,
} from '../../queries/imports';

type CommitMode = Exclude<ImportMode, 'dry_run'>;
const CONTACT_FIELDS = ['name', 'title', 'mobile', 'phone', 'email', 'wechat'] as const;
const FIELDS = [
  'code',
  'kind',
  'name',
  'credit_code',
  'id_number',
  'gender',
  'birthday',
  'industry',
  'size',
  'main_business',
  'region',
  'address',
  'stage',
  'grade',
  'source',
  'urgency',
  'owner',
  'tags',
] as const;

/** A field key of the import ("contact2.mobile", "custom.level") in words. */
function useFieldLabel() {
  const { t } = useTranslation();
  return (key: string): string => {
    const contact = /^contact(\d)\.(\w+)$/.exec(key);
    if (contact) return t(`imports.contactFields.${contact[2] as 'name'}`, { n: contact[1] });
    if (key.startsWith('custom.')) return `${t('imports.customField')}: ${key.slice(7)}`;
    return t(`imports.fields.${key as 'name'}`, { defaultValue: t(`imports.recordFields.${key as 'at'}`, { defaultValue: key }) });
  };
}

function Counts({ run }: { run: ImportOut }) {
  const { t } = useTranslation();
  const c = run.counts;
  const dry = run.mode === 'dry_run';
  return (
    <Flex wrap gap={24} data-testid="import-counts">
      <Statistic title={t('imports.counts.total')} value={c.total} />
      <Statistic title={t(dry ? 'imports.counts.wouldCreate' : 'imports.counts.create')} value={c.create} />
      <Statistic title={t(dry ? 'imports.counts.wouldUpdate' : 'imports.counts.update')} value={c.update} />
      <Statistic title={t('imports.counts.unchanged')} value={c.unchanged} />
      <Statistic title={t('imports.counts.skipped')} value={c.skipped} />
      <Statistic title={t('imports.counts.duplicates')} value={c.duplicates} />
      <Statistic title={t('imports.counts.errors')} value={c.errors} styles={{ content: { color: c.errors ? '#cf1322' : undefined } }} />
    </Flex>
  );
}

function Problems({ run }: { run: ImportOut }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  if (!run.errors.length && !run.duplicates.length) return null;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {run.errors.length > 0 && (
        <>
          <Flex justify="space-between" align="center" wrap gap={8}>
            <Typography.Text strong>{t('imports.errorsTitle', { n: run.counts.errors })}</Typography.Text>
            {run.report_url && (
              <Button
                icon={<DownloadOutlined />}
                data-testid="download-report"
                onClick={() =>
                  void download(run.report_url!, null, 'errors.xlsx').catch((error: unknown) => message.error(problemMessage(t, error)))
                }>
                {t('imports.downloadReport')}
              </Button>
            )}
          </Flex>
          <Table
            size="small"
            rowKey={(e) => `${e.row}-${e.column}-${e.message}`}
            dataSource={run.errors}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: true }}
            data-testid="import-errors"
            columns={[
              { title: t('imports.row'), dataIndex: 'row', width: 70 },
              { title: t('imports.column'), dataIndex: 'column', width: 140 },
              { title: t('imports.value'), dataIndex: 'value', render: (v: unknown) => (v == null ? '' : String(v)) },
              { title: t('imports.message'), dataIndex: 'message' },
            ]}
          />
        </>
      )}
      {run.duplicates.length > 0 && (
        <Table
          size="small"
          rowKey={(d) => `${d.row}-${d.field}`}
          dataSource={run.duplicates}
          pagination={{ pageSize: 5, hideOnSinglePage: true }}
          scroll={{ x: true }}
          title={() => t('imports.duplicatesTitle')}
          columns={[
            { title: t('imports.row'), dataIndex: 'row', width: 70 },
            {
              title: t('imports.matchedOn'),
              dataIndex: 'field',
              render: (f: string) => t(`imports.keys.${f as 'name'}`, { defaultValue: f }),
            },
            { title: t('imports.value'), dataIndex: 'value' },
            {
              title: t('imports.sameAs'),
              key: 'of',
              render: (_, d) => (d.of_row ? t('imports.ofRow', { n: d.of_row }) : (d.of_code ?? t('imports.hiddenCustomer'))),
            },
          ]}
        />
      )}
    </Space>
  );
}

export default function ImportPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const fieldLabel = useFieldLabel();
  const [kind, setKind] = useState<ImportKind>('customers');
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<CommitMode>('insert_only');
  const [validRows, setValidRows] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [checkId, setCheckId] = useState<number | null>(null);
  const [commitId, setCommitId] = useState<number | null>(null);
  const upload = useUploadImport();
  const checked = useImport(checkId);
  const committed = useImport(commitId);
  const revert = useRevertImport();
  const cancel = useCancelImport();

  const check = (overrides = mapping) => {
    if (!file) return;
    setCommitId(null);
    upload.mutate(
      { kind, file, mode: 'dry_run', simulate: mode, mapping: overrides },
      {
        onSuccess: (run) => setCheckId(run.id),
        onError: (error) => message.error(uploadProblem(t, error)),
      },
    );
  };
  const commit = () => {
    if (!file) return;
    upload.mutate(
      { kind, file, mode, importValidRows: validRows, mapping },
      {
        onSuccess: (run) => setCommitId(run.id),
        onError: (error) => message.error(uploadProblem(t, error)),
      },
    );
  };
  const dry = checked.data;
  const run = committed.data;
  const step = run ? 3 : dry ? 2 : file ? 1 : 0;
  const running = run && (run.status === 'running' || run.status === 'queued');
  const fieldOptions = [
    ...FIELDS.map((f) => ({ value: f, label: fieldLabel(f) })),
    ...[1, 2, 3].flatMap((n) => CONTACT_FIELDS.map((f) => ({ value: `contact${n}.${f}`, label: fieldLabel(`contact${n}.${f}`) }))),
  ];
  const mappingRows = dry
    ? [
        ...Object.entries(dry.mapping.columns).map(([header, field]) => ({ header, field })),
        ...dry.mapping.unmapped.map((header) => ({ header, field: null as string | null })),
      ]
    : [];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('imports.title')}
        </Typography.Title>
        <Steps
          current={step}
          size="small"
          responsive
          items={[
            { title: t('imports.steps.template') },
            { title: t('imports.steps.upload') },
            { title: t('imports.steps.check') },
            { title: t('imports.steps.result') },
          ]}
        />
      </Card>
      <Card title={t('imports.templateTitle')} size="small">
        <Radio.Group
          value={kind}
          style={{ marginBottom: 12 }}
          data-testid="import-kind"
          onChange={(e) => {
            setKind(e.target.value as ImportKind);
            setCheckId(null);
            setCommitId(null);
            setMapping({});
          }}>
          <Radio.Button value="customers">{t('imports.kinds.customers')}</Radio.Button>
          <Radio.Button value="follow_ups">{t('imports.kinds.follow_ups')}</Radio.Button>
          <Radio.Button value="orders">{t('imports.kinds.orders')}</Radio.Button>
        </Radio.Group>
        <br />
        <Space wrap>
          <Typography.Text type="secondary">{t('imports.templateHint')}</Typography.Text>
          <Button
            icon={<DownloadOutlined />}
            data-testid="template-zh"
            onClick={() => void download(`/api/v1/imports/templates/${kind}.xlsx`, new URLSearchParams({ lang: 'zh' }), 'template.xlsx')}>
            {t('imports.templateZh')}
          </Button>
          <Button
            icon={<DownloadOutlined />}
            onClick={() => void download(`/api/v1/imports/templates/${kind}.xlsx`, new URLSearchParams({ lang: 'en' }), 'template.xlsx')}>
            {t('imports.templateEn')}
          </Button>
        </Space>
      </Card>
      <Card title={t('imports.uploadTitle')} size="small">
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Upload.Dragger
            accept=".xlsx,.csv"
            maxCount={1}
            showUploadList={false}
            data-testid="import-file"
            beforeUpload={(f) => {
              setFile(f);
              setCheckId(null);
              setCommitId(null);
              setMapping({});
              return false;
            }}>
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p data-testid="import-filename">{file ? file.name : t('imports.drop')}</p>
            <Typography.Text type="secondary">{t('imports.limits')}</Typography.Text>
          </Upload.Dragger>
          <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as CommitMode)} data-testid="import-mode">
            <Radio value="insert_only">{t('imports.modes.insert_only')}</Radio>
            <Radio value="upsert">{t('imports.modes.upsert')}</Radio>
            <Radio value="skip_duplicates">{t('imports.modes.skip_duplicates')}</Radio>
          </Radio.Group>
          <Typography.Text type="secondary">{t(`imports.modeHints.${mode}`)}</Typography.Text>
          <Button type="primary" disabled={!file} loading={upload.isPending && !dry} onClick={() => check()} data-testid="import-check">
            {t('imports.check')}
          </Button>
        </Space>
      </Card>
      {dry && (
        <Card title={t('imports.checkTitle', { file: dry.filename })} size="small" data-testid="import-check-result">
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Counts run={dry} />
            {dry.mapping.unmapped.length > 0 && (
              <Alert type="warning" showIcon title={t('imports.unmapped', { columns: dry.mapping.unmapped.join('、') })} />
            )}
            <Table
              size="small"
              rowKey="header"
              dataSource={mappingRows}
              pagination={false}
              scroll={{ x: true }}
              title={() => t('imports.mappingTitle')}
              columns={[
                { title: t('imports.header'), dataIndex: 'header' },
                {
                  title: t('imports.field'),
                  key: 'field',
                  render: (_, row) =>
                    kind !== 'customers' ? (
                      row.field ? (
                        fieldLabel(row.field)
                      ) : (
                        t('imports.ignore')
                      )
                    ) : (
                      <Select
                        style={{ minWidth: 180 }}
                        value={mapping[row.header] !== undefined ? (mapping[row.header] ?? '') : (row.field ?? '')}
                        options={[{ value: '', label: t('imports.ignore') }, ...fieldOptions]}
                        showSearch
                        optionFilterProp="label"
                        onChange={(value: string) => setMapping({ ...mapping, [row.header]: value || null })}
                      />
                    ),
                },
              ]}
            />
            {Object.keys(mapping).length > 0 && <Button onClick={() => check()}>{t('imports.recheck')}</Button>}
            <Problems run={dry} />
            <Flex wrap gap={12} align="center">
              <Checkbox checked={validRows} onChange={(e) => setValidRows(e.target.checked)} data-testid="import-valid-rows">
                {t('imports.validRows')}
              </Checkbox>
              <Button
                type="primary"
                onClick={commit}
                loading={upload.isPending && !!dry}
                disabled={dry.counts.errors > 0 && !validRows}
                data-testid="import-commit">
                {t('imports.commit', { n: dry.counts.create + dry.counts.update })}
              </Button>
            </Flex>
            {dry.counts.errors > 0 && !validRows && <Alert type="info" title={t('imports.allOrNothing')} />}
          </Space>
        </Card>
      )}
      {run && (
        <Card title={t('imports.resultTitle')} size="small" data-testid="import-result">
          {running ? (
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Progress percent={run.total_rows ? Math.floor((run.done_rows / run.total_rows) * 100) : 0} data-testid="import-progress" />
              <Button onClick={() => cancel.mutate(run.id)}>{t('imports.cancel')}</Button>
            </Space>
          ) : (
            <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
              <Result
                status={run.status === 'committed' || run.status === 'reverted' ? 'success' : 'warning'}
                title={<span data-testid="import-status">{t(`imports.status.${run.status}`)}</span>}
                subTitle={run.detail ?? undefined}
                style={{ padding: 8 }}
              />
              <Counts run={run} />
              <Problems run={run} />
              {run.revert_result && (
                <Descriptions
                  size="small"
                  column={1}
                  bordered
                  data-testid="revert-result"
                  items={[
                    { key: 'd', label: t('imports.reverted.deleted'), children: run.revert_result.deleted },
                    { key: 'r', label: t('imports.reverted.restored'), children: run.revert_result.restored },
                    { key: 'n', label: t('imports.reverted.kept'), children: run.revert_result.not_reverted.join('、') || '—' },
                  ]}
                />
              )}
              {run.status === 'committed' && run.kind === 'customers' && (
                <Popconfirm
                  title={t('imports.revertConfirm')}
                  onConfirm={() =>
                    revert.mutate(run.id, {
                      onError: (error) => message.error(problemMessage(t, error)),
                    })
                  }>
                  <Button danger icon={<RollbackOutlined />} loading={revert.isPending} data-testid="import-revert">
                    {t('imports.revert')}
                  </Button>
                </Popconfirm>
              )}
            </Space>
          )}
        </Card>
      )}
    </Space>
  );
}
