import { Checkbox, DatePicker, Flex, Form, Input, InputNumber, Select, Typography, type FormRule } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { FormModal } from '../../components/FormModal';
import { useEnumLabel } from '../../components/selects';
import { isIpNetwork, SCOPE_GROUPS, scopeLabel } from '../../lib/apiKeys';
import { fieldRules } from '../../lib/formRules';
import { fromPicker, toPicker, zoneName } from '../../lib/time';
import { useCreateApiKey } from '../../queries/apiKeys';
import { useUsers } from '../../queries/users';
import type { ShownSecret } from './ApiKeySecretModal';

interface Values {
  name: string;
  scopes: Schemas['Scope'][];
  owner_id?: number | null;
  expires_at?: Dayjs | null;
  allowed_ips?: string[];
  rate_limit_per_minute: number;
}

const FIELDS = ['name', 'scopes', 'owner_id', 'expires_at', 'allowed_ips', 'rate_limit_per_minute'];
const LABELS: Record<string, string> = {
  name: 'apiKeys.name',
  scopes: 'apiKeys.scopes',
  owner_id: 'apiKeys.owner',
  expires_at: 'apiKeys.expires',
  allowed_ips: 'apiKeys.allowedIps',
  rate_limit_per_minute: 'apiKeys.form.rateLimit',
};
const DEFAULT_RATE_LIMIT = 600; // domain/api_key.py

/** The new-key form; on success the parent shows the secret. */
export function ApiKeyCreateModal({ onCreated, onClose }: { onCreated: (shown: ShownSecret) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateApiKey();
  const users = useUsers().data ?? [];
  const enumLabel = useEnumLabel();
  const label = (field: string) => String(t((LABELS[field] ?? field) as 'apiKeys.name'));
  const nowInZone = () => toPicker(new Date().toISOString()) as Dayjs;
  const inZone = (days: number) => toPicker(dayjs().add(days, 'day').toISOString()) as Dayjs;

  const ipRule: FormRule = {
    validator: async (_, value: unknown) => {
      const bad = Array.isArray(value) ? value.find((entry) => !isIpNetwork(String(entry))) : undefined;
      if (bad !== undefined) throw new Error(t('fieldError.item', { item: String(bad), error: t('fieldError.ipNetwork') }));
    },
  };
  const futureRule: FormRule = {
    validator: async (_, value: Dayjs | null | undefined) => {
      const at = fromPicker(value);
      if (at && dayjs(at).valueOf() <= Date.now()) throw new Error(t('fieldError.mustBeFuture'));
    },
  };

  const submit = async (v: Values) => {
    const out = await create.mutateAsync({
      name: v.name,
      scopes: v.scopes,
      owner_id: v.owner_id ?? null,
      expires_at: fromPicker(v.expires_at),
      allowed_ips: v.allowed_ips ?? [], // as typed: the server's errors name entries by index
      rate_limit_per_minute: v.rate_limit_per_minute,
    });
    create.reset();
    onCreated({ kind: 'created', name: out.key.name, secret: out.secret, oldValidUntil: null });
  };

  return (
    <FormModal<Values>
      title={t('apiKeys.new')}
      fields={FIELDS}
      label={label}
      lists={['allowed_ips']}
      onClose={onClose}
      initialValues={{ scopes: [], allowed_ips: [], rate_limit_per_minute: DEFAULT_RATE_LIMIT }}
      onSubmit={submit}>
      <Form.Item name="name" label={label('name')} rules={fieldRules(t, 'ApiKeyCreate', 'name', { notBlank: true })}>
        <Input placeholder="ERP" data-testid="api-key-name" />
      </Form.Item>
      <Form.Item name="scopes" label={label('scopes')} validateFirst rules={fieldRules(t, 'ApiKeyCreate', 'scopes')}>
        <Checkbox.Group style={{ display: 'block' }} data-testid="api-key-scopes">
          <Flex vertical gap={8}>
            {SCOPE_GROUPS.map((group) => (
              <div key={group.key}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`apiKeys.scopeGroups.${group.key}`)}
                </Typography.Text>
                <Flex wrap gap="4px 16px">
                  {group.scopes.map((scope) => (
                    <Checkbox key={scope} value={scope}>
                      {scopeLabel(t, scope)}
                    </Checkbox>
                  ))}
                </Flex>
              </div>
            ))}
          </Flex>
        </Checkbox.Group>
      </Form.Item>
      <Form.Item
        name="owner_id"
        label={label('owner_id')}
        extra={t('apiKeys.form.ownerHelp')}
        rules={fieldRules(t, 'ApiKeyCreate', 'owner_id')}>
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('apiKeys.form.ownerPlaceholder')}
          data-testid="api-key-owner"
          options={users
            .filter((u) => u.is_active)
            .map((u) => ({
              value: u.id,
              label: `${u.display_name} · ${enumLabel('role', u.role)}`,
            }))}
        />
      </Form.Item>
      <Form.Item
        name="expires_at"
        label={label('expires_at')}
        extra={t('apiKeys.form.expiresHelp', { zone: zoneName() })}
        rules={[...fieldRules(t, 'ApiKeyCreate', 'expires_at'), futureRule]}>
        <DatePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          style={{ width: '100%' }}
          disabledDate={(day) => day.isBefore(nowInZone(), 'day')}
          presets={[
            { label: t('apiKeys.form.in30Days'), value: inZone(30) },
            { label: t('apiKeys.form.in90Days'), value: inZone(90) },
            { label: t('apiKeys.form.in1Year'), value: inZone(365) },
          ]}
        />
      </Form.Item>
      <Form.Item
        name="allowed_ips"
        label={label('allowed_ips')}
        extra={t('apiKeys.form.allowedIpsHelp')}
        rules={[...fieldRules(t, 'ApiKeyCreate', 'allowed_ips'), ipRule]}>
        <Select
          mode="tags"
          open={false}
          suffixIcon={null}
          tokenSeparators={[',', '，', '、', ' ', '\n', ';']}
          placeholder={t('apiKeys.form.allowedIpsPlaceholder')}
          data-testid="api-key-ips"
        />
      </Form.Item>
      <Form.Item
        name="rate_limit_per_minute"
        label={label('rate_limit_per_minute')}
        rules={fieldRules(t, 'ApiKeyCreate', 'rate_limit_per_minute', { required: true })}>
        <InputNumber min={1} max={100000} precision={0} style={{ width: '100%' }} suffix={t('apiKeys.form.perMinuteUnit')} />
      </Form.Item>
    </FormModal>
  );
}
