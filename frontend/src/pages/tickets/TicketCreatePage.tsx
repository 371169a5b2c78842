import { Alert, App, Button, Card, Col, DatePicker, Form, Input, Row, Select, Space, Switch } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import type { Schemas } from '../../api/client';
import { channelValues, priorityValues, responsiblePartyValues, ticketTypeValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { DepartmentSelect, EnumSelect, UserSelect } from '../../components/selects';
import { clearChangedErrors, fieldRules, type RequestField } from '../../lib/formRules';
import { canAssignTicket, canSetTicketPriority } from '../../lib/permissions';
import { formProblem } from '../../lib/problems';
import { fromPicker } from '../../lib/time';
import { id as idParam } from '../../lib/urlState';
import { useContacts } from '../../queries/contacts';
import { useCustomer, useCustomerSearch } from '../../queries/customers';
import { useCreateTicket } from '../../queries/tickets';

type Values = Omit<Schemas['TicketCreate'], 'expected_resolution_at' | 'revisit_at'> & {
  expected_resolution_at?: Dayjs | null;
  revisit_at?: Dayjs | null;
};

const FIELDS = [
  'customer_id',
  'contact_id',
  'type',
  'channel',
  'title',
  'description',
  'urgent',
  'important',
  'expected_resolution_at',
  'priority',
  'assignee_id',
  'collaborator_user_ids',
  'collaborator_department_ids',
  'root_cause',
  'responsible_party',
  'remedy',
  'revisit_at',
];

/** Pick a customer by name; a preset one (from its page) is shown by name too. */
function CustomerPicker({ value, onChange }: { value?: number; onChange?: (id: number | undefined) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const found = useCustomerSearch(name);
  const preset = useCustomer(value ?? 0, value !== undefined);
  const options = (found.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.code})` }));
  if (value && preset.data && !options.some((o) => o.value === value)) {
    options.unshift({ value, label: `${preset.data.name} (${preset.data.code})` });
  }
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setName }}
      allowClear
      value={value}
      onChange={onChange}
      placeholder={t('ticket.customerSearch')}
      options={options}
      loading={found.isFetching}
      data-testid="customer-picker"
    />
  );
}

export default function TicketCreatePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const claims = useClaims();
  const [search] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const [general, setGeneral] = useState<string[]>([]);
  const create = useCreateTicket();
  const customerId = Form.useWatch('customer_id', form);
  const type = Form.useWatch('type', form);
  const contacts = useContacts(customerId);

  const submit = async ({ expected_resolution_at, revisit_at, ...values }: Values) => {
    setGeneral([]);
    const body: Schemas['TicketCreate'] = {
      ...values,
      description: values.description ?? '',
      expected_resolution_at: fromPicker(expected_resolution_at),
      revisit_at: fromPicker(revisit_at),
    };
    try {
      const ticket = await create.mutateAsync(
        Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null && v !== '')) as Schemas['TicketCreate'],
      );
      void message.success(t('ticket.created'));
      void navigate(`/tickets/${ticket.id}`);
    } catch (error) {
      const problem = formProblem(t, error, FIELDS, (f) => t(`ticket.fields.${f}` as 'ticket.fields.title', { defaultValue: f }));
      form.setFields(problem.fields as Parameters<typeof form.setFields>[0]);
      setGeneral(problem.general);
    }
  };

  const rules = (f: RequestField<'TicketCreate'>) => fieldRules(t, 'TicketCreate', f);
  const label = (f: string) => t(`ticket.fields.${f}` as 'ticket.fields.title');
  return (
    <Card title={t('ticket.new')}>
      {general.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={general.join('; ')} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed: object) => clearChangedErrors(form, changed)}
        initialValues={{ customer_id: idParam(search.get('customer_id') ?? undefined), channel: 'phone', urgent: false, important: false }}>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="customer_id" label={label('customer_id')} rules={rules('customer_id')}>
              <CustomerPicker />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="contact_id" label={label('contact_id')} rules={rules('contact_id')}>
              <Select allowClear options={(contacts.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="type" label={label('type')} rules={rules('type')}>
              <EnumSelect name="ticket_type" values={ticketTypeValues} data-testid="ticket-type" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="channel" label={label('channel')} rules={rules('channel')}>
              <EnumSelect name="channel" values={channelValues} allowClear={false} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="title" label={label('title')} rules={rules('title')}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="description" label={label('description')} rules={rules('description')}>
              <Input.TextArea rows={4} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="urgent" label={label('urgent')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="important" label={label('important')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="expected_resolution_at" label={label('expected_resolution_at')}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {canSetTicketPriority(claims) && (
            <Col xs={24} md={12}>
              <Form.Item name="priority" label={label('priority')} rules={rules('priority')}>
                <Select allowClear options={priorityValues.map((p) => ({ value: p, label: p }))} />
              </Form.Item>
            </Col>
          )}
          {canAssignTicket(claims) && (
            <Col xs={24} md={12}>
              <Form.Item name="assignee_id" label={label('assignee_id')} rules={rules('assignee_id')}>
                <UserSelect />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} md={12}>
            <Form.Item name="collaborator_user_ids" label={label('collaborator_user_ids')} rules={rules('collaborator_user_ids')}>
              <UserSelect mode="multiple" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="collaborator_department_ids"
              label={label('collaborator_department_ids')}
              rules={rules('collaborator_department_ids')}>
              <DepartmentSelect mode="multiple" />
            </Form.Item>
          </Col>
          {type === 'complaint' && (
            <>
              <Col xs={24} md={12}>
                <Form.Item name="root_cause" label={label('root_cause')} rules={rules('root_cause')}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="responsible_party" label={label('responsible_party')} rules={rules('responsible_party')}>
                  <EnumSelect name="responsible_party" values={responsiblePartyValues} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="remedy" label={label('remedy')} rules={rules('remedy')}>
                  <Input />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="revisit_at" label={label('revisit_at')}>
                  <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </>
          )}
        </Row>
        <Space>
          <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="save-ticket">
            {t('common.save')}
          </Button>
          <Button onClick={() => void navigate(-1)}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
