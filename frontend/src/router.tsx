import { Spin } from 'antd';
import { lazy, Suspense, type ComponentType, type JSX } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { AppLayout } from './components/AppLayout';
import { NotFound } from './components/NotFound';
import { RequireScope } from './components/RequireScope';
import { RouteError } from './components/RouteError';
import type { Scope } from './auth/session';

// Every screen is its own chunk; the first load carries only the shell and the login.
const page = (load: () => Promise<{ default: ComponentType }>) => {
  const Page = lazy(load);
  return (
    <Suspense
      fallback={
        <div style={{ padding: 48, textAlign: 'center' }}>
          <Spin />
        </div>
      }>
      <Page />
    </Suspense>
  );
};

const guard = (scope: Scope, element: JSX.Element) => <RequireScope scope={scope}>{element}</RequireScope>;

export const router = createBrowserRouter([
  { path: '/login', element: page(() => import('./pages/LoginPage')), errorElement: <RouteError /> },
  {
    path: '/',
    element: <AppLayout />,
    errorElement: <RouteError />,
    // Each screen has its own error boundary, so the menu stays when one fails to load.
    children: (
      [
        { index: true, element: page(() => import('./pages/dashboard/DashboardPage')) },
        { path: 'customers', element: page(() => import('./pages/customers/CustomerListPage')) },
        {
          path: 'customers/new',
          element: guard(
            'customers:write',
            page(() => import('./pages/customers/CustomerFormPage')),
          ),
        },
        { path: 'customers/:id', element: page(() => import('./pages/customers/CustomerDetailPage')) },
        { path: 'customers/:id/edit', element: page(() => import('./pages/customers/CustomerFormPage')) },
        { path: 'follow-ups/due', element: page(() => import('./pages/followUps/DueFollowUpsPage')) },
        { path: 'opportunities/board', element: page(() => import('./pages/opportunities/OpportunityBoardPage')) },
        { path: 'tickets', element: page(() => import('./pages/tickets/TicketListPage')) },
        { path: 'tickets/board', element: page(() => import('./pages/tickets/TicketBoardPage')) },
        {
          path: 'tickets/new',
          element: guard(
            'tickets:write',
            page(() => import('./pages/tickets/TicketCreatePage')),
          ),
        },
        { path: 'tickets/:id', element: page(() => import('./pages/tickets/TicketDetailPage')) },
        { path: 'notifications', element: page(() => import('./pages/NotificationsPage')) },
        { path: 'reports', element: page(() => import('./pages/reports/ReportsPage')) },
        {
          path: 'admin/users',
          element: guard(
            'users:admin',
            page(() => import('./pages/admin/UsersPage')),
          ),
        },
        {
          path: 'admin/departments',
          element: guard(
            'users:admin',
            page(() => import('./pages/admin/DepartmentsPage')),
          ),
        },
        {
          path: 'admin/sla',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/SlaPage')),
          ),
        },
        {
          path: 'admin/custom-fields',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/CustomFieldsPage')),
          ),
        },
        {
          path: 'admin/tags',
          element: guard(
            'tags:write',
            page(() => import('./pages/admin/TagsPage')),
          ),
        },
        {
          path: 'admin/cadence',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/CadencePage')),
          ),
        },
        {
          path: 'admin/change-requests',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/ChangeRequestsPage')),
          ),
        },
        {
          path: 'imports',
          element: guard(
            'customers:write',
            page(() => import('./pages/imports/ImportPage')),
          ),
        },
        { path: 'downloads', element: page(() => import('./pages/imports/DownloadPage')) },
        { path: 'pool', element: page(() => import('./pages/pool/PoolPage')) },
        { path: 'tasks', element: page(() => import('./pages/tasks/TasksPage')) },
        { path: 'profile', element: page(() => import('./pages/profile/ProfilePage')) },
        {
          path: 'admin/api-keys',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/ApiKeysPage')),
          ),
        },
        {
          path: 'admin/webhooks',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/WebhooksPage')),
          ),
        },
        {
          path: 'admin/backups',
          element: guard(
            'settings:admin',
            page(() => import('./pages/admin/BackupsPage')),
          ),
        },
        { path: 'search', element: page(() => import('./pages/search/SearchResultsPage')) },
        { path: '*', element: <NotFound /> },
      ] as RouteObject[]
    ).map((route) => ({ ...route, errorElement: <RouteError /> })),
  },
]);
