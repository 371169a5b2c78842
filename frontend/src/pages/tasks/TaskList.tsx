import { CheckOutlined, PlusOutlined, SwapOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Empty, Form, Input, List, Segmented, Space, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { FormModal } from '../../components/FormModal';
import { QueryState } from '../../components/QueryState';
import { CustomerPicker, UserSelect } from '../../components/selects';
import { fromNow } from '../../lib/format';
import { fieldRules } from '../../lib/formRules';
import { canNameOwner, canWriteTasks } from '../../lib/permissions';
import { useNewParam } from '../../lib/useNewParam';
import { problemMessage } from '../../lib/problems';
import { dateFromPicker, todayInZone } from '../../lib/time';
import { useCustomer } from '../../queries/customers';
import { useCompleteTask, useCreateTask, useTasks, useUpdateTask, type TaskFilters } from '../../queries/tasks';
import { useUserName } from '../../queries/users';

type Task = Schemas['TaskOut'];

function CustomerName({ id }: { id: number }) {
  const customer = useCustomer(id);
  return <Link to={`/customers/${id}`}>{customer.data?.name ?? '…'}</Link>;
}

/** Tasks (the jobs' and people's) with complete and reassign; `customerId` scopes them to one customer. */
export function TaskList({ customerId, customerOwnerId }: { customerId?: number; customerOwnerId?: number | null }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const claims = useClaims();
  const userName = useUserName();
  const [done, setDone] = useState(false);
  const [adding, setAdding] = useState(false);
  const [reassigning, setReassigning] = useState<Task | null>(null);
  const filters: TaskFilters = customerId ? { customer_id: customerId, done } : { owner: 'me', done };
  const tasks = useTasks(filters);
  const complete = useCompleteTask();
  const writer = canWriteTasks(claims);
  const today = todayInZone().format('YYYY-MM-DD');
  useNewParam(() => setAdding(true), writer);
  const mayWork = (task: Task) => writer && (claims.role === 'admin' || task.owner_id === claims.userId);

  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          data-testid="task-filter"
          value={done ? 'done' : 'open'}
          onChange={(v) => setDone(v === 'done')}
          options={[
            { value: 'open', label: t('tasks.open') },
            { value: 'done', label: t('tasks.done') },
          ]}
        />
        {writer && (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-task">
            {t('tasks.add')}
          </Button>
        )}
      </Space>
      <QueryState query={tasks}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (!items.length) return <Empty description={t('tasks.empty')} />;
          return (
            <List
              data-testid="task-list"
              dataSource={items}
              renderItem={(task) => {
                const overdue = !task.done_at && task.due_on !== null && task.due_on < today;
                return (
                  <List.Item
                    key={task.id}
                    data-testid="task-item"
                    actions={
                      mayWork(task) && !task.done_at
                        ? [
                            <Button
                              key="done"
                              size="small"
                              icon={<CheckOutlined />}
                              data-testid={`complete-task-${task.id}`}
                              onClick={() =>
                                complete.mutate(task.id, {
                                  onSuccess: () => void message.success(t('tasks.completed')),
                                  onError: (e) => void message.error(problemMessage(t, e)),
                                })
                              }>
                              {t('tasks.complete')}
                            </Button>,
                            <Button key="reassign" size="small" icon={<SwapOutlined />} onClick={() => setReassigning(task)}>
                              {t('tasks.reassign')}
                            </Button>,
                          ]
                        : []
                    }>
                    <Space orientation="vertical" size={2} style={{ minWidth: 0 }}>
                      <Space wrap size={4}>
                        {/* A job's task is named by its kind in the reader's language (its stored
                          title is Chinese text); a person's by what they wrote. */}
                        <Typography.Text strong delete={!!task.done_at}>
                          {task.kind === 'manual' ? task.title : t(`tasks.kinds.${task.kind}`)}
                        </Typography.Text>
                        {task.kind !== 'manual' && <Tag color="purple">{t('tasks.byJob')}</Tag>}
                        {overdue && <Tag color="red">{t('tasks.overdue')}</Tag>}
                      </Space>
                      <Typography.Text type="secondary">
                        {task.due_on && `${t('tasks.fields.due_on')}: ${task.due_on}`}
                        {task.done_at && ` · ${t('tasks.fields.done_at')}: ${fromNow(task.done_at)}`}
                        {customerId ? ` · ${t('tasks.fields.owner_id')}: ${userName(task.owner_id)}` : ''}
                      </Typography.Text>
                      {!customerId && task.customer_id !== null && <CustomerName id={task.customer_id} />}
                    </Space>
                  </List.Item>
                );
              }}
            />
          );
        }}
      </QueryState>
      {tasks.hasNextPage && (
        <Button style={{ marginTop: 12 }} loading={tasks.isFetchingNextPage} onClick={() => void tasks.fetchNextPage()}>
          {t('common.loadMore')}
        </Button>
      )}
      {adding && <NewTask customerId={customerId} customerOwnerId={customerOwnerId} onClose={() => setAdding(false)} />}
      {reassigning && <Reassign task={reassigning} onClose={() => setReassigning(null)} />}
    </>
  );
}

const FIELDS = ['title', 'due_on', 'customer_id', 'owner_id'] as const;
interface NewValues {
  title: string;
  due_on?: Dayjs;
  customer_id?: number;
  owner_id?: number;
}

function NewTask({ customerId, customerOwnerId, onClose }: { customerId?: number; customerOwnerId?: number | null; onClose: () => void }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const create = useCreateTask();
  const label = (f: string) => t(`tasks.fields.${f}` as 'tasks.fields.title', { defaultValue: f });
  const namesOwner = canNameOwner(claims);
  return (
    <FormModal<NewValues>
      title={t('tasks.add')}
      fields={FIELDS}
      label={label}
      onClose={onClose}
      initialValues={{ due_on: todayInZone().add(1, 'day'), owner_id: namesOwner && customerOwnerId ? customerOwnerId : undefined }}
      onSubmit={(v) =>
        create.mutateAsync({
          title: v.title.trim(),
          due_on: dateFromPicker(v.due_on),
          customer_id: customerId ?? v.customer_id ?? null,
          owner_id: v.owner_id ?? null,
        })
      }>
      <Form.Item name="title" label={label('title')} rules={fieldRules(t, 'TaskCreate', 'title', { notBlank: true })}>
        <Input data-testid="task-title" />
      </Form.Item>
      <Form.Item name="due_on" label={label('due_on')}>
        <DatePicker style={{ width: '100%' }} />
      </Form.Item>
      {!customerId && (
        <Form.Item name="customer_id" label={label('customer_id')}>
          <CustomerPicker />
        </Form.Item>
      )}
      {namesOwner && (
        <Form.Item name="owner_id" label={label('owner_id')} rules={fieldRules(t, 'TaskCreate', 'owner_id')}>
          <UserSelect roles={['admin', 'account_manager']} />
        </Form.Item>
      )}
    </FormModal>
  );
}

function Reassign({ task, onClose }: { task: Task; onClose: () => void }) {
  const { t } = useTranslation();
  const update = useUpdateTask();
  const label = (f: string) => t(`tasks.fields.${f}` as 'tasks.fields.title', { defaultValue: f });
  return (
    <FormModal<{ owner_id: number }>
      title={t('tasks.reassign')}
      fields={['owner_id']}
      label={label}
      onClose={onClose}
      initialValues={{ owner_id: task.owner_id }}
      onSubmit={(v) => update.mutateAsync({ id: task.id, version: task.version, body: { owner_id: v.owner_id } })}>
      <Form.Item name="owner_id" label={label('owner_id')} rules={fieldRules(t, 'TaskPatch', 'owner_id', { required: true })}>
        <UserSelect roles={['admin', 'account_manager']} allowClear={false} data-testid="task-assignee" />
      </Form.Item>
    </FormModal>
  );
}
