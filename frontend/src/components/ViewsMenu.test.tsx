// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useSearchParams } from 'react-router';
import { describe, expect, it } from 'vitest';
import { CUSTOMER_FILTERS } from '../lib/listQueries';
import { renderAt, stubApi, type Call, selectOption } from '../test/harness';
import { ViewsMenu } from './ViewsMenu';

function CustomerViews() {
  const [search, setSearch] = useSearchParams();
  return <ViewsMenu resource="customers" spec={CUSTOMER_FILTERS} search={search} apply={setSearch} />;
}

const VIEWS = [
  {
    id: null,
    key: 'key-customers',
    builtin: true,
    name: '重点客户 (S/A)',
    resource: 'customers',
    filters: { grade: ['S', 'A'] },
    sort: '-grade',
    columns: [],
    visibility: 'everyone',
    owner_id: null,
    mine: false,
    version: null,
  },
  {
    id: 12,
    key: '12',
    builtin: false,
    name: '华东成交',
    resource: 'customers',
    filters: { stage: ['customer'], region: ['华东'] },
    sort: null,
    columns: [],
    visibility: 'private',
    owner_id: 1,
    mine: true,
    version: 3,
  },
];

const button = () => screen.getByTestId('views-menu');

describe('the views menu', () => {
  it('names the open view on its button while the list shows its conditions', async () => {
    stubApi({ 'GET /api/v1/saved-views': VIEWS });
    const router = renderAt('/customers?region=华东&stage=customer', '/customers', <CustomerViews />);
    await waitFor(() => expect(button().textContent).toBe('华东成交'));
    await router.navigate('/customers?grade=A&grade=S&sort=-grade');
    await waitFor(() => expect(button().textContent).toBe('重点客户 (S/A)'));
    await router.navigate('/customers?grade=A');
    await waitFor(() => expect(button().textContent).toBe('视图'));
  });

  it('renames and re-shares one’s own view with its version; built-ins offer neither', async () => {
    const calls = stubApi({
      'GET /api/v1/saved-views': VIEWS,
      'PATCH /api/v1/saved-views/12': ({ body }: Call) => ({ body: { ...VIEWS[1], ...(body as object), version: 4 } }),
    });
    renderAt('/customers', '/customers', <CustomerViews />, { dept: 2, role: 'account_manager' });
    const user = userEvent.setup({ delay: null });
    await user.click(button());
    await screen.findByTestId('view-12');
    expect(screen.queryByTestId('view-edit-key-customers')).toBeNull();
    expect(screen.queryByTestId('view-delete-key-customers')).toBeNull();

    await user.click(screen.getByTestId('view-edit-12'));
    const dialog = await screen.findByRole('dialog');
    within(dialog).getByText('修改视图「华东成交」');
    const name = within(dialog).getByTestId('view-name') as HTMLInputElement;
    expect(name.value).toBe('华东成交');
    await user.clear(name);
    await user.type(name, '华东成交客户');
    await user.click(within(within(dialog).getByTestId('view-visibility')).getByRole('combobox'));
    await waitFor(() => expect(selectOption('所有人')).toBeTruthy());
    expect(selectOption('所有人').getAttribute('aria-disabled')).toBe('true'); // account managers share with their department at most
    await user.click(selectOption('本部门'));
    await user.click(within(dialog).getByTestId('view-save-ok'));

    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({ name: '华东成交客户', visibility: 'department' });
    expect(patch.headers.get('if-match')).toBe('"3"');
    await screen.findByText('视图已更新');
  });
});
