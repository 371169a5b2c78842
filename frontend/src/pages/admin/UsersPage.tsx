import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { roleValues } from '../../api/schema.gen';
import { FormModal } from '../../components/FormModal';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { DepartmentSelect, EnumSelect, useEnumLabel } from '../../components/selects';
import { fieldRules, type RequestField } from '../../lib/formRules';
import { useDepartmentName } from '../../queries/departments';
import { useCreateUser, useUpdateUser, useUsers } from '../../queries/users';

type User = Schemas['UserOut'];
const FIELDS = ['username', 'display_name', 'role', 'department_id', 'password', 'is_active'];
const USERNAME = /^[A-Za-z0-9_.@-]{3,64}$/; // domain/user_service.py

export default function UsersPage() {
  const { t } = useTranslation();
  const users = useUsers();
  const create = useCreateUser();
  const update = useUpdateUser();
  const enumLabel = useEnumLabel();
  const departmentName = useDepartmentName();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const label = (f: string) =>
    t(`admin.users.${f === 'is_active' ? 'active' : f === 'department_id' ? 'department' : f}` as 'admin.users.role');
  const schema = editing === 'new' ? 'UserCreate' : 'UserPatch';
  const rules = (f: RequestField<typeof schema>, options: { required?: boolean } = {}) => fieldRules(t, schema, f, options);

  return (
    <PageCard
      title={t('admin.users.title')}
      actions={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('admin.users.new')}
        </Button>
      }>
      <QueryState query={users}>
        {(rows) => (
          <Table<User>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { key: 'username', title: t('admin.users.username'), dataIndex: 'username' },
              { key: 'display_name', title: t('admin.users.display_name'), dataIndex: 'display_name' },
              { key: 'role', title: t('admin.users.role'), render: (_, u) => <Tag>{enumLabel('role', u.role)}</Tag> },
              { key: 'department', title: t('admin.users.department'), render: (_, u) => departmentName(u.department_id) },
              { key: 'active', title: t('admin.users.active'), render: (_, u) => (u.is_active ? t('common.yes') : t('common.no')) },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, u) => <RowActions onEdit={() => setEditing(u)} />,
              },
            ]}
          />
        )}
      </QueryState>
      {editing && (
        <FormModal<Schemas['UserCreate'] & { is_active?: boolean }>
          title={editing === 'new' ? t('admin.users.new') : editing.display_name}
          fields={FIELDS}
          label={label}
          initialValues={editing === 'new' ? { role: 'agent' } : { ...editing, password: '' }}
          onClose={() => setEditing(null)}
          onSubmit={({ username, password, ...rest }) =>
            editing === 'new'
              ? create.mutateAsync({ username, password, ...rest })
              : update.mutateAsync({ id: editing.id, version: editing.version, body: { ...rest, password: password || null } })
          }>
          {editing === 'new' && (
            <Form.Item
              name="username"
              label={label('username')}
              validateFirst
              rules={[...fieldRules(t, 'UserCreate', 'username'), { pattern: USERNAME, message: t('fieldError.usernameFormat') }]}>
              <Input />
            </Form.Item>
          )}
          <Form.Item name="display_name" label={label('display_name')} rules={rules('display_name', { required: true })}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label={label('role')} rules={rules('role', { required: true })}>
            <EnumSelect name="role" values={roleValues} allowClear={false} />
          </Form.Item>
          <Form.Item name="department_id" label={label('department_id')} rules={rules('department_id')}>
            <DepartmentSelect />
          </Form.Item>
          <Form.Item name="password" label={editing === 'new' ? label('password') : t('admin.users.newPassword')} rules={rules('password')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="is_active" label={label('is_active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </FormModal>
      )}
    </PageCard>
  );
}
