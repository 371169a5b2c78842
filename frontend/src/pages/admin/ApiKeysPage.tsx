import { PlusOutlined, StopOutlined, SyncOutlined } from '@ant-design/icons';
import { App, Button, Flex, Form, Grid, InputNumber, List, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { FormModal } from '../../components/FormModal';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { scopeLabel } from '../../lib/apiKeys';
import { fromNow } from '../../lib/format';
import { fieldRules } from '../../lib/formRules';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { useNow } from '../../lib/useNow';
import { useApiKeys, useRevokeApiKey, useRotateApiKey } from '../../queries/apiKeys';
import { useUserName } from '../../queries/users';
import { ApiKeyCreateModal } from './ApiKeyCreateModal';
import { ApiKeySecretModal, type ShownSecret } from './ApiKeySecretModal';

type Key = Schemas['ApiKeyOut'];
const STATUS_COLORS: Record<Key['status'], string> = { active: 'green', expired: 'orange', revoked: 'default' };
const MONO = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' };
const DEFAULT_GRACE_HOURS = 24;

/** Until when a rotated key's old secret still works; gone once that time passes. */
function GraceNote({ until }: { until: string }) {
  const { t } = useTranslation();
  const now = useNow();
  if (Date.parse(until) <= now) return null;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {t('apiKeys.previousValidUntil', { time: formatDateTime(until) })}
    </Typography.Text>
  );
}

/** API keys for other systems (admins): create, rotate and revoke; a secret is shown once. */
export default function ApiKeysPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const wide = Grid.useBreakpoint().md ?? true; // a phone gets cards, not a sideways table
  const keys = useApiKeys();
  const rotate = useRotateApiKey();
  const revoke = useRevokeApiKey();
  const userName = useUserName();
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<Key | null>(null);
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const colon = t('apiKeys.colon');

  const status = (k: Key) => (
    <Tag color={STATUS_COLORS[k.status]} data-testid="api-key-status">
      {t(`apiKeys.statuses.${k.status}`)}
    </Tag>
  );
  const graceNote = (k: Key) => k.status === 'active' && k.previous_valid_until && <GraceNote until={k.previous_valid_until} />;
  const scopes = (k: Key) => (
    <Flex wrap gap={4}>
      {k.scopes.map((s) => (
        <Tag key={s} title={s} style={{ marginInlineEnd: 0 }}>
          {scopeLabel(t, s)}
        </Tag>
      ))}
    </Flex>
  );
  const owner = (k: Key) => (k.owner_id == null ? t('apiKeys.asCreator', { name: userName(k.created_by) }) : userName(k.owner_id));
  const lastUsed = (k: Key) =>
    k.last_used_at ? (
      <Tooltip title={formatDateTime(k.last_used_at)}>
        <span>{fromNow(k.last_used_at)}</span>
      </Tooltip>
    ) : (
      <Typography.Text type="secondary">{t('apiKeys.neverUsed')}</Typography.Text>
    );
  const expires = (k: Key) => (k.expires_at ? formatDateTime(k.expires_at) : t('apiKeys.neverExpires'));
  const ips = (k: Key) =>
    k.allowed_ips.length === 0 ? (
      t('apiKeys.anyIp')
    ) : (
      <Tooltip title={k.allowed_ips.join(', ')}>
        <span style={MONO}>
          {k.allowed_ips.slice(0, 2).join(', ')}
          {k.allowed_ips.length > 2 ? ` +${k.allowed_ips.length - 2}` : ''}
        </span>
      </Tooltip>
    );
  // In the table the entries go one a line, so the column stays narrow.
  const ipLines = (k: Key) =>
    k.allowed_ips.length === 0 ? (
      t('apiKeys.anyIpLong')
    ) : (
      <Tooltip title={k.allowed_ips.join(', ')}>
        {k.allowed_ips.slice(0, 2).map((ip) => (
          <div key={ip} style={{ ...MONO, whiteSpace: 'nowrap' }}>
            {ip}
          </div>
        ))}
        {k.allowed_ips.length > 2 && <div>+{k.allowed_ips.length - 2}</div>}
      </Tooltip>
    );
  const actions = (k: Key, vertical = false) =>
    k.status !== 'revoked' && (
      <Space size={4} orientation={vertical ? 'vertical' : 'horizontal'}>
        {k.status === 'active' && (
          <Button size="small" icon={<SyncOutlined />} onClick={() => setRotating(k)}>
            {t('apiKeys.rotate')}
          </Button>
        )}
        <Popconfirm
          title={t('apiKeys.revokeConfirm', { name: k.name })}
          description={t('apiKeys.revokeWarning')}
          okText={t('apiKeys.revoke')}
          okButtonProps={{ danger: true }}
          cancelText={t('common.cancel')}
          styles={{ root: { maxWidth: 320 } }}
          onConfirm={() =>
            revoke.mutateAsync(k.id).then(
              () => void message.success(t('apiKeys.revoked')),
              (error: unknown) => void message.error(problemMessage(t, error)),
            )
          }>
          <Button size="small" danger icon={<StopOutlined />}>
            {t('apiKeys.revoke')}
          </Button>
        </Popconfirm>
      </Space>
    );
  // Revoked keys stay listed (their audit trail names them), greyed out.
  const greyed = (k: Key) => (k.status === 'revoked' ? { opacity: 0.5 } : undefined);

  return (
    <PageCard
      title={t('apiKeys.title')}
      actions={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-api-key">
          {t('apiKeys.new')}
        </Button>
      }>
      <Typography.Paragraph type="secondary">{t('apiKeys.explain')}</Typography.Paragraph>
      <QueryState query={keys}>
        {(rows) =>
          wide ? (
            <Table<Key>
              rowKey="id"
              size="middle"
              dataSource={rows}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: t('apiKeys.empty') }}
              onRow={(k) => ({ style: greyed(k), 'data-status': k.status }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                {
                  key: 'name',
                  title: t('apiKeys.name'),
                  width: 180,
                  render: (_, k) => (
                    <Space orientation="vertical" size={0}>
                      <Typography.Text strong>{k.name}</Typography.Text>
                      <span style={{ ...MONO, fontSize: 12, whiteSpace: 'nowrap' }} title={t('apiKeys.prefix')}>
                        {k.prefix}…
                      </span>
                    </Space>
                  ),
                },
                { key: 'scopes', title: t('apiKeys.scopes'), width: 210, render: (_, k) => scopes(k) },
                {
                  key: 'owner',
                  title: t('apiKeys.owner'),
                  render: (_, k) =>
                    k.owner_id == null ? (
                      <Space orientation="vertical" size={0}>
                        {userName(k.created_by)}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t('apiKeys.creator')}
                        </Typography.Text>
                      </Space>
                    ) : (
                      userName(k.owner_id)
                    ),
                },
                {
                  key: 'status',
                  title: t('apiKeys.status'),
                  width: 140,
                  render: (_, k) => (
                    <Space orientation="vertical" size={0}>
                      {status(k)}
                      {graceNote(k)}
                    </Space>
                  ),
                },
                { key: 'lastUsed', title: t('apiKeys.lastUsed'), width: 100, render: (_, k) => lastUsed(k) },
                { key: 'expires', title: t('apiKeys.expires'), width: 110, render: (_, k) => expires(k) },
                {
                  key: 'limits',
                  title: t('apiKeys.limits'),
                  render: (_, k) => (
                    <Space orientation="vertical" size={0}>
                      <span style={{ whiteSpace: 'nowrap' }}>{t('apiKeys.perMinute', { n: k.rate_limit_per_minute })}</span>
                      <span style={{ fontSize: 12 }}>{ipLines(k)}</span>
                    </Space>
                  ),
                },
                { key: 'actions', title: t('common.actions'), render: (_, k) => actions(k, true) },
              ]}
            />
          ) : (
            <List
              data-testid="api-key-cards"
              dataSource={rows}
              locale={{ emptyText: t('apiKeys.empty') }}
              renderItem={(k) => (
                <List.Item key={k.id} style={greyed(k)} data-status={k.status}>
                  <Space orientation="vertical" size={4} style={{ minWidth: 0, width: '100%' }}>
                    <Flex justify="space-between" align="center" gap={8}>
                      <Typography.Text strong ellipsis>
                        {k.name}
                      </Typography.Text>
                      {status(k)}
                    </Flex>
                    <span style={{ ...MONO, wordBreak: 'break-all' }}>{k.prefix}…</span>
                    {scopes(k)}
                    <Typography.Text type="secondary">
                      {t('apiKeys.owner')}
                      {colon}
                      {owner(k)}
                    </Typography.Text>
                    <Typography.Text type="secondary">
                      {t('apiKeys.lastUsed')}
                      {colon}
                      {lastUsed(k)} · {t('apiKeys.expires')}
                      {colon}
                      {expires(k)}
                    </Typography.Text>
                    <Typography.Text type="secondary">
                      {t('apiKeys.rateLimit')}
                      {colon}
                      {t('apiKeys.perMinute', { n: k.rate_limit_per_minute })} · {t('apiKeys.allowedIps')}
                      {colon}
                      {ips(k)}
                    </Typography.Text>
                    {graceNote(k)}
                    {actions(k)}
                  </Space>
                </List.Item>
              )}
            />
          )
        }
      </QueryState>
      {creating && <ApiKeyCreateModal onCreated={setShown} onClose={() => setCreating(false)} />}
      {rotating && (
        <FormModal<{ grace_hours: number }>
          title={t('apiKeys.rotateTitle', { name: rotating.name })}
          fields={['grace_hours']}
          label={() => t('apiKeys.graceHours')}
          initialValues={{ grace_hours: DEFAULT_GRACE_HOURS }}
          onClose={() => setRotating(null)}
          onSubmit={async ({ grace_hours }) => {
            const out = await rotate.mutateAsync({ id: rotating.id, graceHours: grace_hours });
            rotate.reset();
            setShown({ kind: 'rotated', name: out.key.name, secret: out.secret, oldValidUntil: out.key.previous_valid_until });
          }}>
          <Typography.Paragraph type="secondary">{t('apiKeys.rotateExplain')}</Typography.Paragraph>
          <Form.Item
            name="grace_hours"
            label={t('apiKeys.graceHours')}
            rules={fieldRules(t, 'ApiKeyRotate', 'grace_hours', { required: true })}>
            <InputNumber min={0} max={168} style={{ width: '100%' }} suffix={t('apiKeys.hours')} data-testid="grace-hours" />
          </Form.Item>
        </FormModal>
      )}
      {shown && <ApiKeySecretModal shown={shown} onClose={() => setShown(null)} />}
    </PageCard>
  );
}
