import { describe, expect, it } from 'vitest';
import type { Schemas } from '../api/client';
import { apiValues, changedValues, createValues, initialValues, type FormValues } from './customerForm';

const fields: Schemas['CustomFieldOut'][] = [
  { id: 1, key: 'erp', label_zh: 'ERP', label_en: 'ERP', type: 'text', options: [], required: false, sensitive: false, version: 1 },
  { id: 2, key: 'budget', label_zh: '预算', label_en: 'Budget', type: 'number', options: [], required: false, sensitive: true, version: 1 },
];

const customer = {
  id: 7,
  code: 'C202410000007',
  kind: 'individual',
  name: '张三',
  id_number: '1101**********1234',
  birthday: '1985-03-12',
  first_contact_at: '2024-10-08T02:30:00Z',
  tags: [{ id: 3, name: '区域-华北' }],
  custom_fields: { erp: '用友', budget: '80' },
  masked_fields: ['id_number'],
  stage: 'customer',
  owner_id: 3,
} as unknown as Schemas['CustomerOut'];

describe('customer form values', () => {
  it('sends only what the user changed', () => {
    const before = apiValues(initialValues(customer, fields), fields);
    // The masked ID number comes back unchanged from the form and so is not sent.
    const form: FormValues = { ...initialValues(customer, fields), name: '张三丰', custom_fields: { erp: '用友', budget: 90 } };
    expect(form.id_number).toBe('1101**********1234');
    expect(changedValues(before, apiValues(form, fields))).toEqual({ name: '张三丰', custom_fields: { budget: 90 } });
  });

  it('sends dates as the API takes them, in the configured zone', () => {
    const values = apiValues(initialValues(customer, fields), fields);
    expect(values.birthday).toBe('1985-03-12');
    expect(values.first_contact_at).toBe('2024-10-08T10:30:00+08:00');
  });

  it('leaves empty fields out of a new customer', () => {
    expect(
      createValues(apiValues({ name: '新客户', region: '', credit_code: '91350100M000100Y43', custom_fields: { erp: '' } }, fields)),
    ).toEqual({ name: '新客户', credit_code: '91350100M000100Y43', custom_fields: {} });
  });
});
