import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { setTokens } from '../auth/session';
import { useTokens } from '../auth/useSession';
import { changeLanguage } from '../i18n';
import { applySavedLanguage } from '../queries/users';

/** Only paths inside the app: `next` must not send the user to another site. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function LoginPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const tokens = useTokens();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(search.get('next'));
  if (tokens) return <Navigate to={next} replace />;

  const submit = async ({ username, password }: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const { data, response } = await api.POST('/api/v1/auth/token', {
        body: { username, password, scope: '' },
        bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      if (data) {
        setTokens({ access: data.access_token, refresh: data.refresh_token });
        await applySavedLanguage().catch(() => undefined); // the app opens anyway
        void navigate(next, { replace: true });
      } else if (response.status === 429) {
        setError(t('login.locked', { seconds: response.headers.get('Retry-After') ?? '60' }));
      } else {
        setError(t('login.failed'));
      }
    } catch {
      setError(t('problem.network'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 16, background: '#f5f5f5' }}>
      <Card style={{ width: 380, maxWidth: '100%' }}>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          {t('app.title')}
        </Typography.Title>
        {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} showIcon />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('fieldError.required') }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('fieldError.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
        <Button type="link" block style={{ marginTop: 8 }} onClick={() => changeLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')}>
          {i18n.language === 'en' ? '中文' : 'English'}
        </Button>
      </Card>
    </div>
  );
}
