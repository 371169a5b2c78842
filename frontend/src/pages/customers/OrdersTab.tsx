import { PlusOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { orderStatusValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { FormModal } from '../../components/FormModal';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, useEnumLabel } from '../../components/selects';
import { formatMoney } from '../../lib/format';
import { fieldRules, type RequestField } from '../../lib/formRules';
import { canEditCustomer } from '../../lib/permissions';
import { dateFromPicker, todayInZone } from '../../lib/time';
import { useCreateOrder, useCustomerOrders } from '../../queries/orders';

type Order = Schemas['OrderOut'];
const FIELDS = ['order_no', 'contract_no', 'product', 'amount', 'ordered_on', 'status'] as const;
interface Values {
  order_no?: string;
  contract_no?: string;
  product: string;
  amount: string;
  ordered_on: Dayjs;
  status: Schemas['OrderStatus'];
}

/** Amounts are the API's decimal strings, sent and shown as typed, never parsed into floats. */
export function OrdersTab({ customer }: { customer: Schemas['CustomerOut'] }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const enumLabel = useEnumLabel();
  const orders = useCustomerOrders(customer.id);
  const create = useCreateOrder(customer.id);
  const [adding, setAdding] = useState(false);
  const label = (f: string) => t(`order.fields.${f}` as 'order.fields.product', { defaultValue: f });
  const rules = (f: RequestField<'OrderCreate'>) => fieldRules(t, 'OrderCreate', f);
  return (
    <>
      {canEditCustomer(claims, customer) && (
        <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setAdding(true)} data-testid="add-order">
          {t('order.add')}
        </Button>
      )}
      <QueryState query={orders}>
        {(page) => (
          <Table<Order>
            rowKey="id"
            size="small"
            dataSource={page.items}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('order.empty') }}
            columns={[
              { key: 'order_no', title: label('order_no'), dataIndex: 'order_no' },
              { key: 'contract_no', title: label('contract_no'), render: (_, o) => o.contract_no ?? '—' },
              { key: 'product', title: label('product'), dataIndex: 'product' },
              { key: 'amount', title: label('amount'), align: 'right', render: (_, o) => formatMoney(o.amount) },
              { key: 'ordered_on', title: label('ordered_on'), dataIndex: 'ordered_on' },
              { key: 'status', title: label('status'), render: (_, o) => <Tag>{enumLabel('order_status', o.status)}</Tag> },
            ]}
          />
        )}
      </QueryState>
      {adding && (
        <FormModal<Values>
          title={t('order.add')}
          fields={FIELDS}
          label={label}
          onClose={() => setAdding(false)}
          initialValues={{ status: 'confirmed', ordered_on: todayInZone() }}
          onSubmit={(v) =>
            create.mutateAsync({
              product: v.product,
              amount: v.amount.trim(),
              ordered_on: dateFromPicker(v.ordered_on) ?? '',
              status: v.status,
              order_no: v.order_no?.trim() || null,
              contract_no: v.contract_no?.trim() || null,
            })
          }>
          <Form.Item name="product" label={label('product')} rules={fieldRules(t, 'OrderCreate', 'product', { notBlank: true })}>
            <Input />
          </Form.Item>
          <Form.Item name="amount" label={label('amount')} rules={rules('amount')}>
            <Input inputMode="decimal" prefix="¥" placeholder="12800.00" />
          </Form.Item>
          <Form.Item name="ordered_on" label={label('ordered_on')} rules={rules('ordered_on')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="status" label={label('status')} rules={rules('status')}>
            <EnumSelect name="order_status" values={orderStatusValues} allowClear={false} />
          </Form.Item>
          <Form.Item name="order_no" label={label('order_no')} rules={rules('order_no')}>
            <Input />
          </Form.Item>
          <Form.Item name="contract_no" label={label('contract_no')} rules={rules('contract_no')}>
            <Input />
          </Form.Item>
        </FormModal>
      )}
    </>
  );
}
