import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Popconfirm, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { FormModal } from '../../components/FormModal';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { DepartmentSelect, UserSelect, useEnumLabel } from '../../components/selects';
import { fieldRules, type RequestField } from '../../lib/formRules';
import { problemMessage } from '../../lib/problems';
import { useCreateDepartment, useDepartments, useUpdateDepartment } from '../../queries/departments';
import { useResetRoutingRule, useRoutingRules, useSetRoutingRule } from '../../queries/routingRules';
import { useUserName } from '../../queries/users';

type Department = Schemas['DepartmentOut'];
const FIELDS = ['key', 'name', 'supervisor_id'];

export default function DepartmentsPage() {
  const { t } = useTranslation();
  const claims = useClaims();
  const departments = useDepartments();
  const create = useCreateDepartment();
  const update = useUpdateDepartment();
  const userName = useUserName();
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const label = (f: string) => t(`admin.departments.${f === 'supervisor_id' ? 'supervisor' : f}` as 'admin.departments.name');
  const schema = editing === 'new' ? 'DepartmentCreate' : 'DepartmentPatch';
  const rules = (f: RequestField<typeof schema>) =>
    fieldRules(t, schema, f, { required: f !== 'supervisor_id', patternMessage: t('fieldError.keyFormat') });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <PageCard
        title={t('admin.departments.title')}
        actions={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('admin.departments.new')}
          </Button>
        }>
        <QueryState query={departments}>
          {(rows) => (
            <Table<Department>
              rowKey="id"
              size="middle"
              dataSource={rows}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={[
                { key: 'key', title: t('admin.departments.key'), dataIndex: 'key' },
                { key: 'name', title: t('admin.departments.name'), dataIndex: 'name' },
                { key: 'supervisor', title: t('admin.departments.supervisor'), render: (_, d) => userName(d.supervisor_id) },
                {
                  key: 'actions',
                  title: t('common.actions'),
                  render: (_, d) => <RowActions onEdit={() => setEditing(d)} />,
                },
              ]}
            />
          )}
        </QueryState>
      </PageCard>
      {claims.scopes.has('settings:admin') && <RoutingRules />}
      {editing && (
        <FormModal<Schemas['DepartmentCreate']>
          title={editing === 'new' ? t('admin.departments.new') : editing.name}
          fields={FIELDS}
          label={label}
          initialValues={editing === 'new' ? {} : editing}
          onClose={() => setEditing(null)}
          onSubmit={(v) =>
            editing === 'new' ? create.mutateAsync(v) : update.mutateAsync({ id: editing.id, version: editing.version, body: v })
          }>
          <Form.Item name="key" label={label('key')} rules={rules('key')}>
            <Input />
          </Form.Item>
          <Form.Item name="name" label={label('name')} rules={rules('name')}>
            <Input />
          </Form.Item>
          <Form.Item name="supervisor_id" label={label('supervisor_id')} rules={rules('supervisor_id')}>
            <UserSelect roles={['supervisor', 'admin']} />
          </Form.Item>
        </FormModal>
      )}
    </Space>
  );
}

function RoutingRules() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const rules = useRoutingRules();
  const set = useSetRoutingRule();
  const reset = useResetRoutingRule();
  const enumLabel = useEnumLabel();
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  return (
    <PageCard title={t('admin.routing.title')}>
      <QueryState query={rules}>
        {(rows) => (
          <Table<Schemas['RoutingRuleOut']>
            rowKey="ticket_type"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { key: 'type', title: t('admin.routing.type'), render: (_, r) => enumLabel('ticket_type', r.ticket_type) },
              {
                key: 'department',
                title: t('admin.routing.department'),
                render: (_, r) => (
                  <Space>
                    <DepartmentSelect
                      allowClear={false}
                      style={{ width: 160 }}
                      value={r.department_id ?? undefined}
                      onChange={(departmentId: number) => set.mutate({ type: r.ticket_type, departmentId }, { onError: fail })}
                    />
                    {r.is_default && <Tag>{t('admin.routing.isDefault')}</Tag>}
                  </Space>
                ),
              },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, r) =>
                  !r.is_default && (
                    <Popconfirm
                      title={t('confirm.resetRouting', { type: enumLabel('ticket_type', r.ticket_type) })}
                      okText={t('admin.routing.reset')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => reset.mutate(r.ticket_type, { onError: fail })}>
                      <Button size="small" danger>
                        {t('admin.routing.reset')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
    </PageCard>
  );
}
