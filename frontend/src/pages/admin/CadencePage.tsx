import { App, Button, InputNumber, Popconfirm, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { stageValues } from '../../api/schema.gen';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel } from '../../components/selects';
import { problemMessage } from '../../lib/problems';
import { useCadenceRules, useDeleteCadenceRule, useSetCadenceRule } from '../../queries/cadenceRules';

type Stage = Schemas['Stage'];

/** Follow-up cadence per lifecycle stage: a stage without a rule gets no cadence reminders. */
export default function CadencePage() {
  const { t } = useTranslation();
  const rules = useCadenceRules();
  return (
    <PageCard title={t('admin.cadence.title')}>
      <Typography.Paragraph type="secondary">{t('admin.cadence.help')}</Typography.Paragraph>
      <QueryState query={rules}>
        {(rows) => {
          const days = new Map(rows.map((r) => [r.stage, r.interval_days]));
          return (
            <Table<{ stage: Stage }>
              rowKey="stage"
              size="middle"
              pagination={false}
              dataSource={stageValues.map((stage) => ({ stage }))}
              columns={[
                { key: 'stage', title: t('admin.cadence.stage'), render: (_, r) => <StageName stage={r.stage} /> },
                {
                  key: 'days',
                  title: t('admin.cadence.interval'),
                  render: (_, r) => <CadenceEditor stage={r.stage} days={days.get(r.stage)} />,
                },
              ]}
            />
          );
        }}
      </QueryState>
    </PageCard>
  );
}

function StageName({ stage }: { stage: Stage }) {
  const enumLabel = useEnumLabel();
  return <>{enumLabel('stage', stage)}</>;
}

function CadenceEditor({ stage, days }: { stage: Stage; days: number | undefined }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const set = useSetCadenceRule();
  const remove = useDeleteCadenceRule();
  const [value, setValue] = useState<number | null>(days ?? null);
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  const saved = () => void message.success(t('common.saved'));
  return (
    <Space wrap>
      <InputNumber
        min={1}
        max={365}
        precision={0}
        value={value}
        aria-label={t('admin.cadence.interval')}
        onChange={(v) => setValue(v)}
        style={{ width: 100 }}
      />
      <Typography.Text>{t('admin.cadence.days')}</Typography.Text>
      <Button
        type="primary"
        size="small"
        disabled={value == null || value === days}
        loading={set.isPending}
        onClick={() => value != null && set.mutate({ stage, days: value }, { onSuccess: saved, onError: fail })}>
        {t('common.save')}
      </Button>
      {days != null ? (
        <Popconfirm
          title={t('confirm.cadenceOff')}
          okText={t('admin.cadence.off')}
          cancelText={t('common.cancel')}
          onConfirm={() =>
            remove.mutate(stage, {
              onSuccess: () => {
                setValue(null);
                saved();
              },
              onError: fail,
            })
          }>
          <Button size="small" danger loading={remove.isPending}>
            {t('admin.cadence.off')}
          </Button>
        </Popconfirm>
      ) : (
        <Typography.Text type="secondary">{t('admin.cadence.none')}</Typography.Text>
      )}
    </Space>
  );
}
