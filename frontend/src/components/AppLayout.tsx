import {
  ApartmentOutlined,
  ApiOutlined,
  AppstoreOutlined,
  AuditOutlined,
  BellOutlined,
  CalendarOutlined,
  CheckSquareOutlined,
  ClockCircleOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  FileTextOutlined,
  FormOutlined,
  FundOutlined,
  GlobalOutlined,
  IdcardOutlined,
  ImportOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  ProfileOutlined,
  TagsOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, Dropdown, Grid, Layout, Menu, Space, Spin, Typography, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { decodeClaims, getTokens, setTokens, type Claims } from '../auth/session';
import { useClaims, useTokens } from '../auth/useSession';
import { canSeeDueFollowUps, canSeePool, canSeeSales } from '../lib/permissions';
import { problemMessage } from '../lib/problems';
import { setZone } from '../lib/time';
import { useBusinessCalendar } from '../queries/businessCalendar';
import { useMe, useSetLanguage } from '../queries/users';
import { HeaderSearch } from './HeaderSearch';
import { NotificationBell } from './NotificationBell';

// `t` as a plain function: the typed one's key union is too deep for tsc to instantiate here.
function menuItems(claims: Claims, t: (key: string) => string): MenuProps['items'] {
  const can = (scope: string) => claims.scopes.has(scope);
  const admin = [
    can('users:admin') && { key: '/admin/users', icon: <UserOutlined />, label: t('nav.users') },
    can('users:admin') && { key: '/admin/departments', icon: <ApartmentOutlined />, label: t('nav.departments') },
    can('settings:admin') && { key: '/admin/sla', icon: <ClockCircleOutlined />, label: t('nav.sla') },
    can('settings:admin') && { key: '/admin/custom-fields', icon: <FormOutlined />, label: t('nav.customFields') },
    can('tags:write') && { key: '/admin/tags', icon: <TagsOutlined />, label: t('nav.tags') },
    can('settings:admin') && { key: '/admin/cadence', icon: <CalendarOutlined />, label: t('nav.cadence') },
    can('settings:admin') && { key: '/admin/change-requests', icon: <AuditOutlined />, label: t('nav.changeRequests') },
    can('settings:admin') && { key: '/admin/api-keys', icon: <KeyOutlined />, label: t('apiKeys.nav') },
    can('settings:admin') && { key: '/admin/webhooks', icon: <ApiOutlined />, label: t('webhooks.nav') },
    can('settings:admin') && { key: '/admin/backups', icon: <DatabaseOutlined />, label: t('backups.nav') },
  ].filter((item) => item !== false);
  return [
    { key: '/', icon: <DashboardOutlined />, label: t('analytics.nav') },
    { key: '/customers', icon: <TeamOutlined />, label: t('nav.customers') },
    ...(canSeeDueFollowUps(claims) ? [{ key: '/follow-ups/due', icon: <CalendarOutlined />, label: t('nav.due') }] : []),
    ...(canSeeSales(claims) ? [{ key: '/opportunities/board', icon: <FundOutlined />, label: t('nav.opportunityBoard') }] : []),
    { key: '/tickets', icon: <ProfileOutlined />, label: t('nav.ticketList') },
    { key: '/tickets/board', icon: <AppstoreOutlined />, label: t('nav.ticketBoard') },
    { key: '/notifications', icon: <BellOutlined />, label: t('nav.notifications') },
    ...(claims.scopes.has('customers:write') ? [{ key: '/imports', icon: <ImportOutlined />, label: t('imports.nav') }] : []),
    { key: '/reports', icon: <FileTextOutlined />, label: t('reports.nav') },
    ...(canSeePool(claims) ? [{ key: '/pool', icon: <GlobalOutlined />, label: t('pool.nav') }] : []),
    { key: '/tasks', icon: <CheckSquareOutlined />, label: t('tasks.nav') },
    ...(admin.length ? [{ key: 'admin', label: t('nav.admin'), type: 'group' as const, children: admin }] : []),
  ];
}

/** The menu entry a path belongs to (/customers/12 → /customers). */
function selectedKey(pathname: string): string {
  if (pathname.startsWith('/tickets/board')) return '/tickets/board';
  if (pathname.startsWith('/follow-ups/due')) return '/follow-ups/due';
  if (pathname.startsWith('/opportunities')) return '/opportunities/board';
  const [, first, second] = pathname.split('/');
  return first === 'admin' ? `/admin/${second}` : `/${first}`;
}

export function AppLayout() {
  const tokens = useTokens();
  const location = useLocation();
  if (!tokens || !decodeClaims(tokens.access)) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Shell />;
}

function Shell() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const queryClient = useQueryClient();
  const [drawer, setDrawer] = useState(false);
  const claims = useClaims();
  const me = useMe();
  const setLanguage = useSetLanguage();
  const { message } = App.useApp();
  const calendar = useBusinessCalendar(claims.scopes.has('tickets:read'));
  if (calendar.data) setZone(calendar.data.timezone); // idempotent; the times rendered below use it

  const desktop = screens.md ?? true;
  const items = menuItems(claims, (key) => String(t(key as 'nav.users')));
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selectedKey(location.pathname)]}
      items={items}
      onClick={({ key }) => {
        setDrawer(false);
        void navigate(key);
      }}
    />
  );

  const logout = async () => {
    const refresh = getTokens()?.refresh;
    if (refresh) await api.POST('/api/v1/auth/logout', { body: { refresh_token: refresh } }).catch(() => undefined);
    setTokens(null);
    queryClient.clear();
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 12,
          padding: '0 16px',
          background: '#fff',
          borderBottom: '1px solid #f0f0f0',
        }}>
        {!desktop && <Button type="text" icon={<MenuOutlined />} aria-label={t('nav.openMenu')} onClick={() => setDrawer(true)} />}
        <Typography.Title level={4} style={{ margin: 0, flex: 1, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {desktop ? t('app.title') : t('app.short')}
        </Typography.Title>
        <Space size={desktop ? 'middle' : 'small'}>
          {claims.scopes.has('customers:read') && <HeaderSearch wide={desktop} />}
          <NotificationBell />
          <Button
            data-testid="language-switch"
            onClick={() =>
              void setLanguage(i18n.language === 'en' ? 'zh-CN' : 'en').catch(
                (error: unknown) => void message.error(problemMessage(t, error)),
              )
            }>
            {i18n.language === 'en' ? '中文' : 'English'}
          </Button>
          <Dropdown
            menu={{
              items: [
                { key: 'profile', icon: <IdcardOutlined />, label: t('profile.title'), onClick: () => void navigate('/profile') },
                { key: 'logout', icon: <LogoutOutlined />, label: t('common.logout'), onClick: () => void logout() },
              ],
            }}>
            <Button type="text" icon={<UserOutlined />} data-testid="user-menu">
              {desktop && (me.data?.display_name ?? claims.username)}
            </Button>
          </Dropdown>
        </Space>
      </Layout.Header>
      <Layout>
        {desktop && (
          <Layout.Sider width={i18n.language === 'en' ? 248 : 208} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
            {menu}
          </Layout.Sider>
        )}
        {!desktop && (
          <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={260} styles={{ body: { padding: 0 } }}>
            {menu}
          </Drawer>
        )}
        <Layout.Content style={{ padding: desktop ? 24 : 12, minWidth: 0 }}>
          {calendar.isPending && claims.scopes.has('tickets:read') ? <Spin /> : <Outlet />}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
