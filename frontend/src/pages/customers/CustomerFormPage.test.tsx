// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi, type Call } from '../../test/harness';
import CustomerFormPage from './CustomerFormPage';

const LOOKUPS = { 'GET /api/v1/custom-fields': [], 'GET /api/v1/industries': [], 'GET /api/v1/tags': [], 'GET /api/v1/users': [] };
const DUPLICATE = 'Another customer already has this credit code.';
const AM_SCOPES = 'customers:read customers:write notifications tags:write tickets:read tickets:write users:read';

describe('the organization form', () => {
  it('says a wrong credit code check digit in Chinese before any request, and sends once it is right', async () => {
    const calls = stubApi({ ...LOOKUPS, 'POST /api/v1/customers': { id: 42, name: '闽江测试科技有限公司' } });
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });

    await user.type(await screen.findByRole('textbox', { name: '名称' }), '闽江测试科技有限公司');
    const code = screen.getByRole('textbox', { name: '统一社会信用代码' });
    await user.type(code, '91350100M000100Y44');
    await user.click(screen.getByRole('button', { name: '保存' }));

    const error = await screen.findByText('统一社会信用代码校验位不正确');
    expect(error.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('统一社会信用代码');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);

    await user.type(code, '{Backspace}3');
    await waitFor(() => expect(screen.queryByText('统一社会信用代码校验位不正确')).toBeNull());
    await user.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
        kind: 'organization',
        name: '闽江测试科技有限公司',
        credit_code: '91350100M000100Y43',
        stage: 'potential',
        custom_fields: {},
      }),
    );
  });

  it('says a missing name and a too long address in Chinese without a request', async () => {
    const calls = stubApi(LOOKUPS);
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '统一社会信用代码' }), '91350100M000100Y43');
    await user.click(screen.getByRole('textbox', { name: '地址' }));
    await user.paste('路'.repeat(301));
    await user.click(screen.getByRole('button', { name: '保存' }));
    expect(await screen.findByText('必填')).toBeTruthy();
    expect(await screen.findByText('最多 300 个字符')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('shows the server’s field errors in Chinese next to the fields and clears each once its field changes', async () => {
    const calls = stubApi({
      ...LOOKUPS,
      'GET /api/v1/custom-fields': [
        {
          id: 1,
          key: 'erp',
          label_zh: 'ERP 系统',
          label_en: 'ERP',
          type: 'text',
          options: [],
          required: false,
          sensitive: false,
          version: 1,
        },
      ],
      'POST /api/v1/customers': () => ({
        status: 409,
        body: {
          type: '/problems/duplicate',
          title: 'Duplicate',
          status: 409,
          code: 'duplicate',
          detail: DUPLICATE,
          errors: [
            { field: 'credit_code', message: DUPLICATE },
            { field: 'custom_fields.erp', message: 'at most 2000 characters' },
          ],
        },
      }),
    });
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '名称' }), '闽江测试科技有限公司');
    await user.type(screen.getByRole('textbox', { name: '统一社会信用代码' }), '91350100M000100Y43');
    const erp = screen.getByRole('textbox', { name: 'ERP 系统' });
    await user.type(erp, 'SAP');
    await user.click(screen.getByRole('button', { name: '保存' }));

    const duplicate = await screen.findByText('已有客户使用该值');
    expect(duplicate.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('统一社会信用代码');
    const tooLong = screen.getByText('最多 2000 个字符');
    expect(tooLong.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('ERP 系统');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);

    // The custom field has no rules of its own: antd would keep the server's error after an edit.
    await user.type(erp, '2');
    await waitFor(() => expect(screen.queryByText('最多 2000 个字符')).toBeNull());
    expect(screen.getByText('已有客户使用该值')).toBeTruthy();
  });

  it('creates the customer with its primary contact, asking for the contact’s name first', async () => {
    const calls = stubApi({
      ...LOOKUPS,
      'POST /api/v1/customers': ({ body }: Call) =>
        (body as { primary_contact?: { mobile?: string } }).primary_contact?.mobile === '12345'
          ? {
              status: 422,
              body: {
                type: '/problems/validation',
                title: 'Validation',
                status: 422,
                code: 'validation',
                detail: 'primary_contact.mobile: not a valid phone number',
                errors: [{ field: 'primary_contact.mobile', message: 'not a valid phone number' }],
              },
            }
          : { status: 201, body: { id: 44, name: '闽江测试科技有限公司' } },
    });
    const router = renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '名称' }), '闽江测试科技有限公司');
    await user.type(screen.getByRole('textbox', { name: '统一社会信用代码' }), '91350100M000100Y43');
    const mobile = screen.getByTestId('primary-contact-mobile');
    await user.type(mobile, '12345');
    await user.click(screen.getByRole('button', { name: '保存' }));
    expect(await screen.findByText('填写了联系方式时，请填写联系人姓名')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);

    await user.type(screen.getByTestId('primary-contact-name'), '王经理');
    await user.click(screen.getByRole('button', { name: '保存' }));
    const error = await screen.findByText('电话号码无效（固话需带区号）');
    expect(error.closest('.ant-form-item')?.querySelector('label')?.textContent).toBe('手机');

    await user.clear(mobile);
    await user.type(mobile, '13800138000');
    await waitFor(() => expect(screen.queryByText('电话号码无效（固话需带区号）')).toBeNull());
    await user.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/customers/44'));
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toMatchObject({
      name: '闽江测试科技有限公司',
      primary_contact: { name: '王经理', mobile: '13800138000' },
    });
  });

  it('opens the customer after a successful save', async () => {
    stubApi({
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'POST /api/v1/customers': { id: 42, name: '闽江测试科技有限公司' },
    });
    const router = renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '名称' }), '闽江测试科技有限公司');
    await user.type(screen.getByRole('textbox', { name: '统一社会信用代码' }), '91350100M000100Y43');
    await user.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/customers/42'));
  });

  it('lets an admin create a customer straight into the public pool', async () => {
    const calls = stubApi({
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'POST /api/v1/customers': { id: 43, name: '公海新客户' },
    });
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '名称' }), '公海新客户');
    await user.type(screen.getByRole('textbox', { name: '统一社会信用代码' }), '91350100M000100Y43');
    await user.click(screen.getByTestId('create-into-pool'));
    await user.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ name: '公海新客户', owner_id: null }));
    expect(calls.find((c) => c.method === 'POST')?.body).not.toHaveProperty('into_pool');
  });

  it('warns of the customers a new one would repeat: a link to one it may open, the owner of another', async () => {
    const calls = stubApi({
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'GET /api/v1/customers/same-as': [
        { field: 'name', customer_id: 12, code: 'C202410000012', name: '闽江测试科技有限公司', in_pool: false, owner_name: '张伟' },
        { field: 'name', customer_id: null, code: null, name: null, in_pool: false, owner_name: '王经理' },
      ],
    });
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByRole('textbox', { name: '名称' }), '闽江测试科技有限公司');
    const warning = await screen.findByTestId('same-customers', {}, { timeout: 3000 });
    expect(warning.querySelector('a')?.getAttribute('href')).toBe('/customers/12');
    expect(warning.textContent).toContain('属于 王经理，请联系其负责人');
    const asked = calls.filter((c) => c.path === '/api/v1/customers/same-as').at(-1);
    expect(asked?.search.get('name')).toBe('闽江测试科技有限公司');
  });
  it('offers an account manager no field only an admin may set; an admin gets them', async () => {
    stubApi(LOOKUPS);
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />, {
      sub: '7',
      name: 'am',
      role: 'account_manager',
      scope: AM_SCOPES,
    });
    expect(await screen.findByRole('textbox', { name: '名称' })).toBeTruthy();
    for (const id of ['customer-grade', 'customer-grade-locked', 'customer-owner', 'create-into-pool']) {
      expect(screen.queryByTestId(id), id).toBeNull();
    }
    expect(screen.queryByText('价值等级')).toBeNull();
    expect(screen.queryByText('负责人')).toBeNull();
    expect(screen.getByText('生命周期阶段')).toBeTruthy();
    cleanup();

    stubApi(LOOKUPS);
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    expect(await screen.findByText('价值等级')).toBeTruthy();
    for (const id of ['customer-grade', 'customer-grade-locked', 'customer-owner', 'create-into-pool']) {
      expect(screen.queryByTestId(id), id).not.toBeNull();
    }
  });

  it('shows the changes sent for approval (202) as the change-request list does: owners by name, masked values masked', async () => {
    const existing = {
      id: 12,
      kind: 'organization',
      code: 'C202410000012',
      name: '闽江测试科技有限公司',
      credit_code: '91350100M000100Y43',
      owner_id: 7,
      stage: 'intent',
      tags: [],
      custom_fields: {},
      birthday: null,
      first_contact_at: null,
      archived: false,
      version: 3,
    };
    const request = (id: number, field: string, old_value: unknown, new_value: unknown, masked_fields: string[] = []) => ({
      id,
      customer_id: 12,
      field,
      old_value,
      new_value,
      masked_fields,
      status: 'pending',
      requested_by: 7,
      created_at: '2026-11-01T00:00:00Z',
    });
    const calls = stubApi({
      ...LOOKUPS,
      'GET /api/v1/users': [
        { id: 7, display_name: '张伟', username: 'zhangwei', role: 'account_manager', is_active: true },
        { id: 8, display_name: '李娜', username: 'lina', role: 'account_manager', is_active: true },
      ],
      'GET /api/v1/customers/12': existing,
      'PATCH /api/v1/customers/12': () => ({
        status: 202,
        body: {
          items: [
            request(1, 'name', '闽江测试科技有限公司', '闽江新名科技有限公司'),
            request(2, 'owner_id', 7, 8),
            request(3, 'credit_code', '9135…Y43', '9135…Y44', ['old_value', 'new_value']),
            request(4, 'id_number', null, '350102199001011234'),
          ],
        },
      }),
    });
    renderAt('/customers/12/edit', '/customers/:id/edit', <CustomerFormPage />, { sub: '7', role: 'account_manager', scope: AM_SCOPES });
    const name = await screen.findByRole('textbox', { name: '名称' });
    const user = userEvent.setup({ delay: null });
    await user.clear(name);
    await user.type(name, '闽江新名科技有限公司');
    await user.click(screen.getByRole('button', { name: '保存' }));
    const list = await screen.findByTestId('pending-change-requests');
    expect([...list.querySelectorAll('li')].map((li) => li.textContent)).toEqual([
      '名称: 闽江测试科技有限公司 → 闽江新名科技有限公司',
      '负责人: 张伟 → 李娜',
      '统一社会信用代码: 已脱敏 → 已脱敏',
      '身份证号: ∅ → 350102199001011234',
    ]);
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: '闽江新名科技有限公司' });
  });
});
