import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { fieldTypeValues } from '../../api/schema.gen';
import { FormModal } from '../../components/FormModal';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { EnumSelect, useEnumLabel } from '../../components/selects';
import { fieldRules, type RequestField } from '../../lib/formRules';
import { useCreateCustomField, useCustomFields, useDeleteCustomField, useUpdateCustomField } from '../../queries/customFields';

type Field = Schemas['CustomFieldOut'];
const FIELDS = ['key', 'label_zh', 'label_en', 'type', 'options', 'required', 'sensitive'];
const KEY = /^[a-z][a-z0-9_]{0,39}$/; // domain/custom_field.py KEY_PATTERN

export default function CustomFieldsPage() {
  const { t } = useTranslation();
  const fields = useCustomFields();
  const create = useCreateCustomField();
  const update = useUpdateCustomField();
  const remove = useDeleteCustomField();
  const enumLabel = useEnumLabel();
  const [editing, setEditing] = useState<Field | 'new' | null>(null);
  const label = (f: string) => t(`admin.customFields.${f}` as 'admin.customFields.key');
  const schema = editing === 'new' ? 'CustomFieldCreate' : 'CustomFieldPatch';
  const rules = (f: RequestField<typeof schema>) => fieldRules(t, schema, f, { required: f === 'label_zh' || f === 'label_en' });
  return (
    <PageCard
      title={t('admin.customFields.title')}
      actions={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('admin.customFields.new')}
        </Button>
      }>
      <QueryState query={fields}>
        {(rows) => (
          <Table<Field>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { key: 'key', title: label('key'), dataIndex: 'key' },
              { key: 'label_zh', title: label('label_zh'), dataIndex: 'label_zh' },
              { key: 'label_en', title: label('label_en'), dataIndex: 'label_en' },
              { key: 'type', title: label('type'), render: (_, f) => enumLabel('field_type', f.type) },
              { key: 'options', title: label('options'), render: (_, f) => f.options.map((o) => <Tag key={o}>{o}</Tag>) },
              {
                key: 'flags',
                title: '',
                render: (_, f) => (
                  <Space>
                    {f.required && <Tag color="blue">{label('required')}</Tag>}
                    {f.sensitive && <Tag color="red">{t('common.masked')}</Tag>}
                  </Space>
                ),
              },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, f) => (
                  <RowActions onEdit={() => setEditing(f)} onDelete={() => remove.mutateAsync({ id: f.id, version: f.version })} />
                ),
              },
            ]}
          />
        )}
      </QueryState>
      {editing && (
        <FormModal<Schemas['CustomFieldCreate']>
          title={editing === 'new' ? t('admin.customFields.new') : editing.key}
          fields={FIELDS}
          label={label}
          onClose={() => setEditing(null)}
          initialValues={editing === 'new' ? { type: 'text', options: [], required: false, sensitive: false } : editing}
          onSubmit={({ key, type, ...patch }) =>
            editing === 'new'
              ? create.mutateAsync({ key, type, ...patch })
              : update.mutateAsync({ id: editing.id, version: editing.version, body: patch })
          }>
          {(form) => (
            <>
              {editing === 'new' ? (
                <Form.Item
                  name="key"
                  label={label('key')}
                  validateFirst
                  rules={[...fieldRules(t, 'CustomFieldCreate', 'key'), { pattern: KEY, message: t('fieldError.keyFormat') }]}>
                  <Input />
                </Form.Item>
              ) : (
                <Form.Item name="key" label={label('key')}>
                  <Input disabled />
                </Form.Item>
              )}
              <Form.Item name="label_zh" label={label('label_zh')} rules={rules('label_zh')}>
                <Input />
              </Form.Item>
              <Form.Item name="label_en" label={label('label_en')} rules={rules('label_en')}>
                <Input />
              </Form.Item>
              <Form.Item name="type" label={label('type')} rules={fieldRules(t, 'CustomFieldCreate', 'type')}>
                <EnumSelect name="field_type" values={fieldTypeValues} allowClear={false} disabled={editing !== 'new'} />
              </Form.Item>
              <Form.Item noStyle dependencies={['type']}>
                {() =>
                  form.getFieldValue('type') === 'enum' && (
                    <Form.Item
                      name="options"
                      label={label('options')}
                      rules={[{ required: true, type: 'array', message: t('fieldError.optionsNeeded') }, ...rules('options')]}>
                      <Select mode="tags" open={false} />
                    </Form.Item>
                  )
                }
              </Form.Item>
              <Form.Item name="required" label={label('required')} valuePropName="checked">
                <Switch />
              </Form.Item>
              <Form.Item name="sensitive" label={label('sensitive')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </>
          )}
        </FormModal>
      )}
    </PageCard>
  );
}
