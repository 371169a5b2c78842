import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, Modal, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { Masked } from '../../components/Masked';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { clearChangedErrors, fieldRules } from '../../lib/formRules';
import { canEditCustomer } from '../../lib/permissions';
import { formProblem } from '../../lib/problems';
import { useContacts, useCreateContact, useDeleteContact, useUpdateContact } from '../../queries/contacts';

type Contact = Schemas['ContactOut'];
const FIELDS = ['name', 'title', 'mobile', 'phone', 'email', 'wechat', 'is_primary'] as const;

export function ContactsTab({ customer }: { customer: Schemas['CustomerOut'] }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const contacts = useContacts(customer.id);
  const remove = useDeleteContact(customer.id);
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const editable = canEditCustomer(claims, customer);
  const label = (f: (typeof FIELDS)[number]) => t(`contact.fields.${f}`);
  const masked = (c: Contact, f: 'mobile' | 'phone' | 'email' | 'wechat') => (
    <Masked field={f} masked={c.masked_fields}>
      {c[f]}
    </Masked>
  );

  return (
    <>
      {editable && (
        <Button icon={<PlusOutlined />} style={{ marginBottom: 12 }} onClick={() => setEditing('new')} data-testid="add-contact">
          {t('contact.add')}
        </Button>
      )}
      <QueryState query={contacts}>
        {(rows) => (
          <Table<Contact>
            rowKey="id"
            size="small"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('contact.empty') }}
            columns={[
              {
                key: 'name',
                title: label('name'),
                render: (_, c) => (
                  <>
                    {c.name} {c.is_primary && <Tag color="blue">{t('contact.primary')}</Tag>}
                  </>
                ),
              },
              { key: 'title', title: label('title'), render: (_, c) => c.title ?? '—' },
              { key: 'mobile', title: label('mobile'), render: (_, c) => masked(c, 'mobile') },
              { key: 'phone', title: label('phone'), render: (_, c) => masked(c, 'phone') },
              { key: 'email', title: label('email'), render: (_, c) => masked(c, 'email') },
              { key: 'wechat', title: label('wechat'), render: (_, c) => masked(c, 'wechat') },
              ...(editable
                ? [
                    {
                      key: 'actions',
                      title: t('common.actions'),
                      render: (_: unknown, c: Contact) => (
                        <RowActions onEdit={() => setEditing(c)} onDelete={() => remove.mutateAsync({ id: c.id, version: c.version })} />
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </QueryState>
      {editing && <ContactModal customerId={customer.id} contact={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </>
  );
}

function ContactModal({ customerId, contact, onClose }: { customerId: number; contact: Contact | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Schemas['ContactCreate']>();
  const [general, setGeneral] = useState<string[]>([]);
  const create = useCreateContact(customerId);
  const update = useUpdateContact(customerId);
  const label = (f: (typeof FIELDS)[number]) => t(`contact.fields.${f}`);
  const rules = (f: Exclude<(typeof FIELDS)[number], 'is_primary'>) =>
    fieldRules(t, contact ? 'ContactPatch' : 'ContactCreate', f, { required: f === 'name' });

  const submit = async (values: Schemas['ContactCreate']) => {
    const body = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === '' ? null : v])) as Schemas['ContactCreate'];
    try {
      if (contact) {
        const changed = Object.fromEntries(Object.entries(body).filter(([k, v]) => (contact[k as keyof Contact] ?? null) !== (v ?? null)));
        await update.mutateAsync({ id: contact.id, version: contact.version, body: changed });
      } else {
        await create.mutateAsync(body);
      }
      void message.success(t('common.saved'));
      onClose();
    } catch (error) {
      const problem = formProblem(t, error, FIELDS, (f) => t(`contact.fields.${f}` as 'contact.fields.name', { defaultValue: f }));
      form.setFields(problem.fields as Parameters<typeof form.setFields>[0]);
      setGeneral(problem.general);
    }
  };

  return (
    <Modal
      open
      title={contact ? t('contact.edit') : t('contact.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ loading: create.isPending || update.isPending }}>
      {general.length > 0 && <Alert type="error" style={{ marginBottom: 12 }} title={general.join('; ')} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={contact ?? { is_primary: false }}
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed: object) => clearChangedErrors(form, changed)}>
        <Form.Item name="name" label={label('name')} rules={rules('name')}>
          <Input />
        </Form.Item>
        <Form.Item name="title" label={label('title')} rules={rules('title')}>
          <Input />
        </Form.Item>
        <Form.Item name="mobile" label={label('mobile')} rules={rules('mobile')}>
          <Input />
        </Form.Item>
        <Form.Item name="phone" label={label('phone')} rules={rules('phone')}>
          <Input />
        </Form.Item>
        <Form.Item name="email" label={label('email')} rules={rules('email')}>
          <Input />
        </Form.Item>
        <Form.Item name="wechat" label={label('wechat')} rules={rules('wechat')}>
          <Input />
        </Form.Item>
        <Form.Item name="is_primary" label={label('is_primary')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
