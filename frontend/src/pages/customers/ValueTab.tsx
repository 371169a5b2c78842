import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Descriptions, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { QueryState } from '../../components/QueryState';
import { formatMoney, fromNow } from '../../lib/format';
import { canVerify } from '../../lib/permissions';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { useCustomerValue, useVerifyCustomer } from '../../queries/customers';

type Value = Schemas['CustomerValueOut'];

/** The sentence that explains a grade, built here from the numbers (the server's `rule` is English). */
export function useExplain() {
  const { t } = useTranslation();
  return (v: Value): string | null => {
    const { recency, frequency, monetary, total } = v.scores;
    if (total == null || recency == null || frequency == null || monetary == null) return null;
    const rule = v.rules.find((r) => total >= r.min_total);
    if (!rule) return null;
    return t('value.explain', {
      r: recency,
      f: frequency,
      m: monetary,
      total,
      min: rule.min_total,
      grade: rule.grade,
      level: t(`value.levels.${rule.value_level}`),
    });
  };
}

/** 客户价值: level and grade with their RFM explanation, and 核实 (verification) with a note. */
export function ValueTab({ customer, showValue }: { customer: Schemas['CustomerOut']; showValue: boolean }) {
  const { t } = useTranslation();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Verification customer={customer} />
      {showValue && <ValueExplained customerId={customer.id} />}
      {!showValue && <Typography.Text type="secondary">{t('common.hidden')}</Typography.Text>}
    </Space>
  );
}

function ValueExplained({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const value = useCustomerValue(customerId);
  const explain = useExplain();
  return (
    <QueryState query={value}>
      {(v) => {
        const sentence = explain(v);
        const bands = v.run?.thresholds;
        return (
          <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="customer-value">
            <Space wrap>
              <Typography.Text>{t('value.level')}:</Typography.Text>
              {v.value_level ? (
                <Tag color={v.value_level === 'high' ? 'gold' : v.value_level === 'medium' ? 'blue' : 'default'}>
                  {t(`value.levels.${v.value_level}`)}
                </Tag>
              ) : (
                '—'
              )}
              <Typography.Text>{t('value.grade')}:</Typography.Text>
              {v.grade ? <Tag color="gold">{v.grade}</Tag> : '—'}
              {v.grade_locked && <Typography.Text type="secondary">（{t('value.locked')}）</Typography.Text>}
            </Space>
            {v.frequency === 0 && <Alert type="info" showIcon title={t('value.none')} />}
            {v.frequency > 0 && !v.run && <Alert type="info" showIcon title={t('value.notRun')} />}
            <Descriptions
              bordered
              size="small"
              column={{ xs: 1, md: 3 }}
              items={[
                {
                  key: 'r',
                  label: t('value.recency'),
                  children: (
                    <>
                      {v.recency_days == null ? '—' : t('value.daysAgo', { n: v.recency_days })}
                      {v.last_order_on ? `（${v.last_order_on}）` : ''}
                      {v.scores.recency != null && <Tag style={{ marginLeft: 8 }}>{t('value.band', { score: v.scores.recency })}</Tag>}
                    </>
                  ),
                },
                {
                  key: 'f',
                  label: t('value.frequency'),
                  children: (
                    <>
                      {t('value.times', { n: v.frequency })}
                      {v.scores.frequency != null && <Tag style={{ marginLeft: 8 }}>{t('value.band', { score: v.scores.frequency })}</Tag>}
                    </>
                  ),
                },
                {
                  key: 'm',
                  label: t('value.monetary'),
                  children: (
                    <>
                      {formatMoney(v.monetary)}
                      {v.scores.monetary != null && <Tag style={{ marginLeft: 8 }}>{t('value.band', { score: v.scores.monetary })}</Tag>}
                    </>
                  ),
                },
              ]}
            />
            {sentence && <Alert type="success" title={t('value.rule')} description={<span data-testid="value-explain">{sentence}</span>} />}
            {v.computed_at && (
              <Typography.Text type="secondary">
                {t('value.computedAt')}: {formatDateTime(v.computed_at)}
              </Typography.Text>
            )}
            {bands && v.run && (
              <Table
                size="small"
                pagination={false}
                rowKey="score"
                scroll={{ x: 'max-content' }}
                title={() => t('value.bands', { date: v.run!.as_of, n: v.run!.scored })}
                dataSource={[5, 4, 3, 2, 1].map((score) => ({
                  score,
                  r: bands.recency_days.find((b) => b.score === score),
                  f: bands.frequency.find((b) => b.score === score),
                  m: bands.monetary.find((b) => b.score === score),
                }))}
                columns={[
                  { key: 'score', title: t('value.score'), render: (_, row) => t('value.band', { score: row.score }) },
                  { key: 'r', title: t('value.recency'), render: (_, row) => (row.r ? `${row.r.min}–${row.r.max}` : '—') },
                  { key: 'f', title: t('value.frequency'), render: (_, row) => (row.f ? `${row.f.min}–${row.f.max}` : '—') },
                  {
                    key: 'm',
                    title: t('value.monetary'),
                    render: (_, row) => (row.m ? `${formatMoney(row.m.min)} – ${formatMoney(row.m.max)}` : '—'),
                  },
                ]}
              />
            )}
          </Space>
        );
      }}
    </QueryState>
  );
}

function Verification({ customer }: { customer: Schemas['CustomerOut'] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const claims = useClaims();
  const verify = useVerifyCustomer(customer.id);
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  return (
    <Space orientation="vertical" size={4} style={{ width: '100%' }}>
      <Space wrap>
        <Typography.Text>{t('value.verifiedAt')}:</Typography.Text>
        <Typography.Text data-testid="verified-at" title={formatDateTime(customer.verified_at)}>
          {customer.verified_at ? fromNow(customer.verified_at) : t('value.neverVerified')}
        </Typography.Text>
        {canVerify(claims, customer) && (
          <Button icon={<SafetyCertificateOutlined />} onClick={() => setOpen(true)} data-testid="verify-customer">
            {t('value.verify')}
          </Button>
        )}
      </Space>
      {customer.verification_note && (
        <Typography.Text type="secondary" data-testid="verified-note" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {t('value.verificationNote')}: {customer.verification_note}
        </Typography.Text>
      )}
      <Modal
        open={open}
        title={t('value.verify')}
        onCancel={() => setOpen(false)}
        okButtonProps={{ loading: verify.isPending }}
        onOk={() =>
          verify.mutate(
            { version: customer.version, note: note.trim() || null },
            {
              onSuccess: () => {
                setOpen(false);
                setNote('');
                void message.success(t('value.verified'));
              },
              onError: (e) => void message.error(problemMessage(t, e)),
            },
          )
        }>
        <Input.TextArea
          rows={3}
          maxLength={2000}
          placeholder={t('value.verifyNote')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </Modal>
    </Space>
  );
}
