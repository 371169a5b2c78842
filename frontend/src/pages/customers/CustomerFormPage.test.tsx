// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderAt, stubApi } from '../../test/harness';
import CustomerFormPage from './CustomerFormPage';

const CHECK_DIGIT = 'The last character (check digit) of the unified social credit code does not match.';

describe('the organization form', () => {
  it('shows the server’s credit code error next to the field, in Chinese, and sends only filled fields', async () => {
    const calls = stubApi({
      'GET /api/v1/custom-fields': [],
      'GET /api/v1/industries': [],
      'GET /api/v1/tags': [],
      'GET /api/v1/users': [],
      'POST /api/v1/customers': () => ({
        status: 422,
        body: { type: '/problems/validation', title: 'Validation', status: 422, code: 'validation',
          detail: `credit_code: ${CHECK_DIGIT}`, errors: [{ field: 'credit_code', message: CHECK_DIGIT }] },
      }),
    });
    renderAt('/customers/new?kind=organization', '/customers/new', <CustomerFormPage />);
    const user = userEvent.setup({ delay: null });

    await user.type(await screen.findByRole('textbox', { name: '名称' }), '闽江测试科技有限公司');
    await user.type(screen.getByRole('textbox', { name: '统一社会信用代码' }), '91350100M000100Y44');
    await user.click(screen.getByRole('button', { name: '保存' }));

    const error = await screen.findByText('统一社会信用代码校验位不正确');
    const item = error.closest('.ant-form-item');
    expect(item?.querySelector('label')?.textContent).toBe('统一社会信用代码');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ kind: 'organization', name: '闽江测试科技有限公司', credit_code: '91350100M000100Y44',
      stage: 'potential', custom_fields: {} });
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
      'GET /api/v1/custom-fields': [], 'GET /api/v1/industries': [], 'GET /api/v1/tags': [], 'GET /api/v1/users': [],
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
});
