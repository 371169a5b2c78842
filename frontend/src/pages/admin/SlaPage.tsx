import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  TimePicker,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { priorityValues, slaPolicyCreateCalendarValues, ticketTypeValues } from '../../api/schema.gen';
import { FormModal } from '../../components/FormModal';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { EnumSelect, useEnumLabel } from '../../components/selects';
import { clearChangedErrors, fieldRules, type RequestField } from '../../lib/formRules';
import { formProblem, problemMessage } from '../../lib/problems';
import { targetParts, workdayMinutes } from '../../lib/sla';
import {
  useBusinessCalendar,
  useDeleteCalendarOverride,
  useSetCalendarOverride,
  useUpdateBusinessHours,
} from '../../queries/businessCalendar';
import { useCreateSlaPolicy, useDeleteSlaPolicy, useSlaPolicies, useUpdateSlaPolicy } from '../../queries/slaPolicies';

type Policy = Schemas['SlaPolicyOut'];
const FIELDS = ['priority', 'ticket_type', 'first_response_minutes', 'resolution_minutes', 'update_minutes', 'calendar'];

export default function SlaPage() {
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Policies />
      <WorkingHours />
    </Space>
  );
}

function Policies() {
  const { t } = useTranslation();
  const policies = useSlaPolicies();
  const create = useCreateSlaPolicy();
  const update = useUpdateSlaPolicy();
  const remove = useDeleteSlaPolicy();
  const enumLabel = useEnumLabel();
  const [editing, setEditing] = useState<Policy | 'new' | null>(null);
  const label = (f: string) => t(`admin.sla.${f === 'ticket_type' ? 'type' : f}` as 'admin.sla.priority');
  const rules = (f: RequestField<'SlaPolicyCreate'>) => fieldRules(t, 'SlaPolicyCreate', f);
  const calendar = useBusinessCalendar();
  const workday = calendar.data ? workdayMinutes(calendar.data.opens, calendar.data.closes) : 540;
  const target = useTargetText(workday);
  const minutes = (name: 'first_response_minutes' | 'resolution_minutes' | 'update_minutes') => (
    <Form.Item name={name} label={label(name)} rules={rules(name)} extra={<TargetHint name={name} target={target} />}>
      <InputNumber min={1} style={{ width: '100%' }} />
    </Form.Item>
  );
  const targetColumn = (key: string, name: 'first_response_minutes' | 'resolution_minutes' | 'update_minutes') => ({
    key,
    title: t(`sla.${key}` as 'sla.first_response'),
    render: (_: unknown, p: Policy) => <span data-testid={`sla-target-${key}`}>{target(p[name], p.calendar)}</span>,
  });
  return (
    <PageCard
      title={t('admin.sla.title')}
      actions={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('admin.sla.new')}
        </Button>
      }>
      <QueryState query={policies}>
        {(rows) => (
          <Table<Policy>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            footer={
              calendar.data
                ? () => (
                    <Typography.Text type="secondary" data-testid="sla-workday-note">
                      {t('admin.sla.workdayNote', {
                        opens: calendar.data.opens.slice(0, 5),
                        closes: calendar.data.closes.slice(0, 5),
                        hours: Math.round((workday / 60) * 10) / 10,
                      })}
                    </Typography.Text>
                  )
                : undefined
            }
            columns={[
              { key: 'priority', title: label('priority'), dataIndex: 'priority' },
              {
                key: 'type',
                title: label('ticket_type'),
                render: (_, p) => (p.ticket_type ? enumLabel('ticket_type', p.ticket_type) : t('admin.sla.anyType')),
              },
              targetColumn('first_response', 'first_response_minutes'),
              targetColumn('resolution', 'resolution_minutes'),
              targetColumn('update', 'update_minutes'),
              { key: 'calendar', title: label('calendar'), render: (_, p) => enumLabel('calendar', p.calendar) },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, p) => (
                  <RowActions onEdit={() => setEditing(p)} onDelete={() => remove.mutateAsync({ id: p.id, version: p.version })} />
                ),
              },
            ]}
          />
        )}
      </QueryState>
      {editing && (
        <FormModal<Schemas['SlaPolicyCreate']>
          title={editing === 'new' ? t('admin.sla.new') : `${editing.priority}`}
          fields={FIELDS}
          label={label}
          initialValues={editing === 'new' ? { calendar: 'business' } : editing}
          onClose={() => setEditing(null)}
          onSubmit={({ priority, ticket_type, ...patch }) =>
            editing === 'new'
              ? create.mutateAsync({ priority, ticket_type: ticket_type ?? null, ...patch })
              : update.mutateAsync({ id: editing.id, version: editing.version, body: patch })
          }>
          <Form.Item name="priority" label={label('priority')} rules={rules('priority')}>
            <Select disabled={editing !== 'new'} options={priorityValues.map((p) => ({ value: p, label: p }))} />
          </Form.Item>
          <Form.Item name="ticket_type" label={label('ticket_type')} rules={rules('ticket_type')}>
            <EnumSelect name="ticket_type" values={ticketTypeValues} disabled={editing !== 'new'} placeholder={t('admin.sla.anyType')} />
          </Form.Item>
          {minutes('first_response_minutes')}
          {minutes('resolution_minutes')}
          {minutes('update_minutes')}
          <Form.Item name="calendar" label={label('calendar')} rules={rules('calendar')}>
            <EnumSelect name="calendar" values={slaPolicyCreateCalendarValues} allowClear={false} />
          </Form.Item>
        </FormModal>
      )}
    </PageCard>
  );
}

type TargetText = (minutes: number, calendar: Policy['calendar']) => string;

/** A target in working days (business calendar) or days (24×7), hours and minutes. */
function useTargetText(workday: number): TargetText {
  const { t } = useTranslation();
  return (minutes, calendar) => {
    const parts = targetParts(minutes, calendar === 'business' ? workday : 24 * 60);
    const unit = { d: calendar === 'business' ? 'workday' : 'day', h: 'hour', m: 'minute' } as const;
    return (['d', 'h', 'm'] as const)
      .filter((k) => parts[k] !== undefined)
      .map((k) => {
        const n = parts[k] ?? 0;
        return t(`admin.sla.target.${unit[k]}${n === 1 ? '' : 's'}` as 'admin.sla.target.day', { n });
      })
      .join(' ');
  };
}

/** Under a minutes input: what the number typed means, on the calendar chosen in the form. */
function TargetHint({ name, target }: { name: string; target: TargetText }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const value = Form.useWatch(name, form) as number | null | undefined;
  const calendar = (Form.useWatch('calendar', form) ?? 'business') as Policy['calendar'];
  if (!value || value < 1) return null;
  return <span data-testid={`sla-hint-${name}`}>{t('admin.sla.minutesHint', { target: target(value, calendar) })}</span>;
}

interface HoursValues {
  timezone: string;
  opens: Dayjs;
  closes: Dayjs;
}

function WorkingHours() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const calendar = useBusinessCalendar();
  const update = useUpdateBusinessHours();
  const setOverride = useSetCalendarOverride();
  const removeOverride = useDeleteCalendarOverride();
  const [form] = Form.useForm<HoursValues>();
  const [day, setDay] = useState<Dayjs | null>(null);
  const [isWorkday, setIsWorkday] = useState(false);
  const [note, setNote] = useState('');
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  return (
    <PageCard title={t('admin.hours.title')}>
      <QueryState query={calendar}>
        {(cal) => (
          <Space orientation="vertical" size="large" style={{ width: '100%' }}>
            <Form
              form={form}
              layout="inline"
              key={cal.version}
              onValuesChange={(changed: object) => clearChangedErrors(form, changed)}
              initialValues={{ timezone: cal.timezone, opens: dayjs(cal.opens, 'HH:mm:ss'), closes: dayjs(cal.closes, 'HH:mm:ss') }}
              onFinish={(v) =>
                update.mutate(
                  {
                    version: cal.version,
                    body: {
                      timezone: v.timezone,
                      opens: v.opens.format('HH:mm:ss'),
                      closes: v.closes.format('HH:mm:ss'),
                    },
                  },
                  {
                    onSuccess: () => void message.success(t('common.saved')),
                    onError: (error) => {
                      const problem = formProblem(t, error, ['timezone', 'opens', 'closes']);
                      form.setFields(problem.fields as Parameters<typeof form.setFields>[0]);
                      problem.general.forEach((g) => void message.error(g));
                    },
                  },
                )
              }>
              <Form.Item name="opens" label={t('admin.hours.opens')}>
                <TimePicker format="HH:mm" />
              </Form.Item>
              <Form.Item name="closes" label={t('admin.hours.closes')}>
                <TimePicker format="HH:mm" />
              </Form.Item>
              <Form.Item name="timezone" label={t('admin.hours.timezone')} rules={fieldRules(t, 'BusinessHoursIn', 'timezone')}>
                <Input style={{ width: 180 }} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={update.isPending}>
                {t('common.save')}
              </Button>
            </Form>
            <Table<Schemas['CalendarOverrideOut']>
              rowKey="day"
              size="small"
              pagination={false}
              title={() => t('admin.hours.overrides')}
              dataSource={cal.overrides}
              columns={[
                { key: 'day', title: t('admin.hours.day'), dataIndex: 'day' },
                {
                  key: 'workday',
                  title: t('admin.hours.isWorkday'),
                  render: (_, o) => (
                    <Tag color={o.is_workday ? 'blue' : 'default'}>{o.is_workday ? t('admin.hours.workday') : t('admin.hours.dayOff')}</Tag>
                  ),
                },
                { key: 'note', title: t('common.note'), render: (_, o) => o.note ?? '—' },
                {
                  key: 'actions',
                  title: t('common.actions'),
                  render: (_, o) => (
                    <Popconfirm
                      title={t('confirm.deleteOverride', { day: o.day })}
                      okText={t('common.delete')}
                      cancelText={t('common.cancel')}
                      onConfirm={() => removeOverride.mutate(o.day, { onError: fail })}>
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('common.delete')}
                        data-testid={`delete-override-${o.day}`}
                      />
                    </Popconfirm>
                  ),
                },
              ]}
            />
            <Space wrap>
              <DatePicker value={day} onChange={setDay} />
              <Space>
                <Switch checked={isWorkday} onChange={setIsWorkday} />
                {t('admin.hours.workday')}
              </Space>
              <Input placeholder={t('common.note')} value={note} onChange={(e) => setNote(e.target.value)} style={{ width: 180 }} />
              <Button
                disabled={!day}
                loading={setOverride.isPending}
                onClick={() =>
                  day &&
                  setOverride.mutate(
                    { day: day.format('YYYY-MM-DD'), body: { is_workday: isWorkday, note: note || null } },
                    {
                      onSuccess: () => {
                        setDay(null);
                        setNote('');
                      },
                      onError: fail,
                    },
                  )
                }>
                {t('admin.hours.addOverride')}
              </Button>
            </Space>
          </Space>
        )}
      </QueryState>
    </PageCard>
  );
}
