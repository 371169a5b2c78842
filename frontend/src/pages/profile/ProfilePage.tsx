import { Alert, App, Button, Card, Descriptions, Form, Input, Segmented, Space, Switch, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { setTokens } from '../../auth/session';
import { QueryState } from '../../components/QueryState';
import { useEnumLabel } from '../../components/selects';
import { type Language } from '../../i18n';
import { fieldRules } from '../../lib/formRules';
import { problemMessage } from '../../lib/problems';
import { updateMe, userKeys, useMe, useSetLanguage } from '../../queries/users';

/** The rules the server applies to a new password, checked before the round trip. */
export function passwordProblem(password: string, username: string): 'tooShort' | 'blank' | 'sameAsUsername' | null {
  if (!password.trim()) return 'blank';
  if (password.length < 10) return 'tooShort';
  if (password.trim().toLowerCase() === username.toLowerCase()) return 'sameAsUsername';
  return null;
}

/** The user's own page: display name, language, password (old one required), e-mail topics. */
export default function ProfilePage() {
  const me = useMe();
  return (
    <QueryState query={me}>
      {(user) => (
        <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 720 }}>
          <Basics user={user} />
          <PasswordCard user={user} />
          <EmailTopics user={user} />
        </Space>
      )}
    </QueryState>
  );
}

function Basics({ user }: { user: Schemas['UserOut'] }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const enumLabel = useEnumLabel();
  const client = useQueryClient();
  const setLanguage = useSetLanguage();
  const [name, setName] = useState(user.display_name);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await updateMe(user.version, { display_name: name.trim() });
      void message.success(t('common.saved'));
      await client.invalidateQueries({ queryKey: userKeys.all });
    } catch (error) {
      void message.error(problemMessage(t, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('profile.title')}>
      <Descriptions
        column={1}
        size="small"
        items={[
          { key: 'username', label: t('profile.username'), children: user.username },
          { key: 'role', label: t('profile.role'), children: enumLabel('role', user.role) },
        ]}
      />
      <Form layout="vertical" style={{ marginTop: 16 }}>
        <Form.Item label={t('profile.displayName')}>
          <Space.Compact style={{ width: '100%', maxWidth: 420 }}>
            <Input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="profile-name" />
            <Button type="primary" loading={busy} disabled={!name.trim() || name.trim() === user.display_name} onClick={() => void save()}>
              {t('common.save')}
            </Button>
          </Space.Compact>
        </Form.Item>
        <Form.Item label={t('profile.language')} extra={t('profile.languageHint')}>
          <Segmented
            data-testid="profile-language"
            value={i18n.language === 'en' ? 'en' : 'zh-CN'}
            onChange={(v) => void setLanguage(v as Language).catch((error: unknown) => void message.error(problemMessage(t, error)))}
            options={[
              { value: 'zh-CN', label: '中文' },
              { value: 'en', label: 'English' },
            ]}
          />
        </Form.Item>
      </Form>
    </Card>
  );
}

type Topic = Schemas['UserOut']['email_muted'][number];
const TOPICS: Topic[] = ['tickets', 'sla', 'customers', 'approvals', 'reports'];

/** Which topics the user also gets by e-mail; the inbox in the app keeps everything. */
function EmailTopics({ user }: { user: Schemas['UserOut'] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [busy, setBusy] = useState<Topic | null>(null);
  const toggle = async (topic: Topic, on: boolean) => {
    setBusy(topic);
    const muted = on ? user.email_muted.filter((m) => m !== topic) : [...user.email_muted, topic];
    try {
      const saved = await updateMe(user.version, { email_muted: muted });
      client.setQueryData(userKeys.me, saved);
      await client.invalidateQueries({ queryKey: userKeys.all });
    } catch (error) {
      void message.error(problemMessage(t, error));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card title={t('profile.notifications')}>
      <Typography.Paragraph type="secondary">{t('profile.notificationsHint')}</Typography.Paragraph>
      <Space orientation="vertical" size="small" style={{ width: '100%' }}>
        {TOPICS.map((topic) => (
          <Space key={topic} align="start">
            <Switch
              size="small"
              data-testid={`email-topic-${topic}`}
              checked={!user.email_muted.includes(topic)}
              loading={busy === topic}
              disabled={busy !== null}
              onChange={(on) => void toggle(topic, on)}
            />
            <Typography.Text>{t(`profile.topics.${topic}`)}</Typography.Text>
          </Space>
        ))}
      </Space>
    </Card>
  );
}

interface PasswordValues {
  current_password: string;
  password: string;
  confirm: string;
}

function PasswordCard({ user }: { user: Schemas['UserOut'] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordValues>();
  const [busy, setBusy] = useState(false);
  const [general, setGeneral] = useState<string | null>(null);

  const submit = async (v: PasswordValues) => {
    setBusy(true);
    setGeneral(null);
    try {
      // `current_password` is the server's contract for one's own password change (issue 11).
      const body = { password: v.password, current_password: v.current_password } as Schemas['UserPatch'];
      unwrap(await api.PATCH('/api/v1/users/me', { body }));
      // The change ended every session of this user, this one included: sign in again.
      const { data } = await api.POST('/api/v1/auth/token', {
        body: { username: user.username, password: v.password, scope: '' },
        bodySerializer: (b) => new URLSearchParams(b as Record<string, string>),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      if (data) setTokens({ access: data.access_token, refresh: data.refresh_token });
      form.resetFields();
      void message.success(t('profile.changed'));
    } catch (error) {
      const errors = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
      const fields = errors.flatMap(({ field, message: text }): { name: keyof PasswordValues; errors: string[] }[] => {
        if (field === 'current_password') return [{ name: 'current_password', errors: [t('profile.wrongCurrent')] }];
        if (field === 'password') {
          const key = /common/i.test(text)
            ? 'common'
            : /user ?name/i.test(text)
              ? 'sameAsUsername'
              : /whitespace|blank|spaces/i.test(text)
                ? 'blank'
                : 'tooShort';
          return [{ name: 'password', errors: [t(`profile.${key}`)] }];
        }
        return [];
      });
      if (fields.length) form.setFields(fields);
      else setGeneral(problemMessage(t, error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('profile.password')}>
      <Typography.Paragraph type="secondary">{t('profile.passwordRules')}</Typography.Paragraph>
      {general && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={general} />}
      <Form form={form} layout="vertical" style={{ maxWidth: 420 }} onFinish={(v) => void submit(v)} data-testid="password-form">
        <Form.Item
          name="current_password"
          label={t('profile.currentPassword')}
          rules={fieldRules(t, 'UserPatch', 'current_password', { required: true })}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('profile.newPassword')}
          rules={[
            ...fieldRules(t, 'UserPatch', 'password', { required: true }),
            {
              validator: async (_, value: string | undefined) => {
                const problem = value ? passwordProblem(value, user.username) : null;
                if (problem) throw new Error(t(`profile.${problem}`));
              },
            },
          ]}>
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('profile.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('fieldError.required') },
            ({ getFieldValue }) => ({
              validator: async (_, value: string | undefined) => {
                if (value && value !== getFieldValue('password')) throw new Error(t('profile.mismatch'));
              },
            }),
          ]}>
          <Input.Password autoComplete="new-password" data-testid="confirm-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="change-password">
          {t('profile.password')}
        </Button>
      </Form>
    </Card>
  );
}
