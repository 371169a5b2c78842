import { PdfButton } from '../../components/ExportButton';
import { EditOutlined, UserSwitchOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Rate,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { Schemas } from '../../api/client';
import { responsiblePartyValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { NotFound } from '../../components/NotFound';
import { QueryState } from '../../components/QueryState';
import { SlaBadge } from '../../components/SlaBadge';
import { DepartmentSelect, EnumSelect, UserSelect, useEnumLabel } from '../../components/selects';
import { canAssignTicket, canCommentTicket, canWorkTicket } from '../../lib/permissions';
import { fieldRules } from '../../lib/formRules';
import { problemMessage } from '../../lib/problems';
import { formatDateTime, fromPicker, toPicker } from '../../lib/time';
import { useContacts } from '../../queries/contacts';
import { useCustomer } from '../../queries/customers';
import { useDepartmentName } from '../../queries/departments';
import { useAssignees, useAssignTicket, useTicket, useTransitionTicket, useUpdateTicket } from '../../queries/tickets';
import { useUserName } from '../../queries/users';
import { AttachmentsCard } from './AttachmentsCard';
import { PRIORITY_COLORS } from './TicketTable';
import { TimelineCard } from './TimelineCard';

type Ticket = Schemas['TicketOut'];
type Status = Schemas['TicketStatus'];

export default function TicketDetailPage() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id)) return <NotFound />;
  return <TicketDetail id={id} />;
}

function TicketDetail({ id }: { id: number }) {
  const ticket = useTicket(id);
  return <QueryState query={ticket}>{(x) => <Detail ticket={x} fetchedAt={ticket.dataUpdatedAt} />}</QueryState>;
}

function Detail({ ticket, fetchedAt }: { ticket: Ticket; fetchedAt: number }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const departmentName = useDepartmentName();
  const customer = useCustomer(ticket.customer_id);
  const contacts = useContacts(ticket.customer_id);
  const [moving, setMoving] = useState<Status | null>(null);
  const [assigning, setAssigning] = useState(false);
  const [collaborating, setCollaborating] = useState(false);
  const workable = canWorkTicket(claims, ticket);
  const contact = contacts.data?.find((c) => c.id === ticket.contact_id);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <Flex justify="space-between" wrap gap={12}>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {ticket.title}
            </Typography.Title>
            <Space wrap style={{ marginTop: 8 }}>
              <Typography.Text type="secondary">{ticket.code}</Typography.Text>
              <Tag color="processing" data-testid="ticket-status">
                {enumLabel('status', ticket.status)}
              </Tag>
              <Tag color={PRIORITY_COLORS[ticket.priority]}>{ticket.priority}</Tag>
              <Tag>{enumLabel('ticket_type', ticket.type)}</Tag>
            </Space>
          </div>
          <Space wrap>
            <PdfButton path={`/tickets/${ticket.id}`} name={ticket.code} />
            {/* Only what the ticket can take now, named as the action: a new ticket's first step is
                分派 (the assign dialog), not a bare "to assigned". */}
            {workable &&
              ticket.allowed_transitions
                .filter((to) => to !== 'assigned')
                .map((to) => (
                  <Button
                    key={to}
                    type={to === 'cancelled' ? 'default' : 'primary'}
                    danger={to === 'cancelled'}
                    data-testid={`transition-${to}`}
                    onClick={() => setMoving(to)}>
                    {t(`ticketActions.${to}` as 'ticketActions.in_progress', {
                      defaultValue: t('ticket.moveTo', { status: enumLabel('status', to) }),
                    })}
                  </Button>
                ))}
            {canAssignTicket(claims) && !['resolved', 'closed', 'cancelled'].includes(ticket.status) && (
              <Button
                icon={<UserSwitchOutlined />}
                type={ticket.status === 'new' ? 'primary' : 'default'}
                data-testid="assign-ticket"
                onClick={() => setAssigning(true)}>
                {ticket.assignee_id == null ? t('ticketActions.assign') : t('ticketActions.reassign')}
              </Button>
            )}
          </Space>
        </Flex>
        <Space wrap style={{ marginTop: 12 }}>
          <SlaBadge clock={ticket.sla.first_response} calendar={ticket.sla.calendar} fetchedAt={fetchedAt} target="first_response" />
          <SlaBadge clock={ticket.sla.resolution} calendar={ticket.sla.calendar} fetchedAt={fetchedAt} target="resolution" />
          <SlaBadge clock={ticket.sla.update} calendar={ticket.sla.calendar} fetchedAt={fetchedAt} target="update" />
        </Space>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <TimelineCard ticket={ticket} />
        </Col>
        <Col xs={24} lg={9}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Card size="small">
              <Descriptions
                size="small"
                column={1}
                items={[
                  {
                    key: 'customer',
                    label: t('ticket.fields.customer_id'),
                    children: <Link to={`/customers/${ticket.customer_id}`}>{customer.data?.name ?? `#${ticket.customer_id}`}</Link>,
                  },
                  { key: 'contact', label: t('ticket.fields.contact_id'), children: contact?.name ?? '—' },
                  { key: 'channel', label: t('ticket.fields.channel'), children: enumLabel('channel', ticket.channel) },
                  { key: 'department', label: t('ticket.fields.department_id'), children: departmentName(ticket.department_id) },
                  { key: 'assignee', label: t('ticket.fields.assignee_id'), children: userName(ticket.assignee_id) },
                  { key: 'opened', label: t('ticket.fields.opened_at'), children: formatDateTime(ticket.opened_at) },
                  {
                    key: 'expected',
                    label: t('ticket.fields.expected_resolution_at'),
                    children: formatDateTime(ticket.expected_resolution_at),
                  },
                  {
                    key: 'urgency',
                    label: `${t('ticket.fields.urgent')} / ${t('ticket.fields.important')}`,
                    children: `${t(ticket.urgent ? 'common.yes' : 'common.no')} / ${t(ticket.important ? 'common.yes' : 'common.no')}`,
                  },
                  {
                    key: 'description',
                    label: t('ticket.fields.description'),
                    children: (
                      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{ticket.description || '—'}</Typography.Paragraph>
                    ),
                  },
                  ...(ticket.satisfaction
                    ? [
                        {
                          key: 'satisfaction',
                          label: t('ticket.fields.satisfaction'),
                          children: (
                            <span data-testid="satisfaction">
                              {t('ticket.satisfactionSummary', { ...ticket.satisfaction })}
                              {ticket.satisfaction.comment ? ` · ${ticket.satisfaction.comment}` : ''}
                            </span>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
            <Card
              size="small"
              title={t('ticket.fields.collaborators')}
              extra={
                workable && (
                  <Button size="small" icon={<EditOutlined />} onClick={() => setCollaborating(true)}>
                    {t('ticket.editCollaborators')}
                  </Button>
                )
              }>
              <Flex wrap gap={4}>
                {ticket.collaborator_user_ids.map((u) => (
                  <Tag key={`u${u}`}>{userName(u)}</Tag>
                ))}
                {ticket.collaborator_department_ids.map((d) => (
                  <Tag key={`d${d}`} color="cyan">
                    {departmentName(d)}
                  </Tag>
                ))}
                {!ticket.collaborator_user_ids.length && !ticket.collaborator_department_ids.length && t('common.none')}
              </Flex>
            </Card>
            {ticket.type === 'complaint' && <ComplaintCard ticket={ticket} editable={workable} />}
            <AttachmentsCard ticket={ticket} canUpload={canCommentTicket(claims)} />
          </Space>
        </Col>
      </Row>
      {moving && <TransitionModal ticket={ticket} to={moving} onClose={() => setMoving(null)} />}
      {assigning && <AssignModal ticket={ticket} onClose={() => setAssigning(false)} />}
      {collaborating && <CollaboratorsModal ticket={ticket} onClose={() => setCollaborating(false)} />}
    </Space>
  );
}

interface CloseValues {
  note?: string;
  customer_accepted?: boolean;
  response_speed?: number;
  resolution?: number;
  attitude?: number;
  overall?: number;
  comment?: string;
}

/** Move a ticket; closing takes the customer's acceptance and the satisfaction survey. */
function TransitionModal({ ticket, to, onClose }: { ticket: Ticket; to: Status; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const enumLabel = useEnumLabel();
  const transition = useTransitionTicket(ticket.id);
  const [form] = Form.useForm<CloseValues>();
  const closing = to === 'closed';
  const submit = (v: CloseValues) => {
    const body: Schemas['TransitionIn'] = closing
      ? {
          to,
          note: v.note || null,
          customer_accepted: true,
          satisfaction: {
            response_speed: v.response_speed!,
            resolution: v.resolution!,
            attitude: v.attitude!,
            overall: v.overall!,
            comment: v.comment || null,
          },
        }
      : { to, note: v.note || null, customer_accepted: false };
    transition.mutate(
      { version: ticket.version, body },
      {
        onSuccess: () => {
          void message.success(t('ticket.moved', { status: enumLabel('status', to) }));
          onClose();
        },
        onError: (error) => void message.error(problemMessage(t, error)),
      },
    );
  };
  const score = (name: 'response_speed' | 'resolution' | 'attitude' | 'overall') => (
    <Form.Item name={name} label={t(`ticket.close.${name}`)} rules={fieldRules(t, 'SatisfactionIn', name)}>
      <Rate data-testid={`rate-${name}`} />
    </Form.Item>
  );
  return (
    <Modal
      open
      title={closing ? t('ticket.close.title') : t('ticket.moveTo', { status: enumLabel('status', to) })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ loading: transition.isPending }}>
      <Form form={form} layout="vertical" onFinish={submit}>
        {closing && (
          <>
            <Form.Item
              name="customer_accepted"
              valuePropName="checked"
              rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('ticket.close.acceptedRequired')))) }]}>
              <Checkbox data-testid="customer-accepted">{t('ticket.close.accepted')}</Checkbox>
            </Form.Item>
            {score('response_speed')}
            {score('resolution')}
            {score('attitude')}
            {score('overall')}
            <Form.Item name="comment" label={t('ticket.close.comment')} rules={fieldRules(t, 'SatisfactionIn', 'comment')}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </>
        )}
        <Form.Item name="note" label={t('ticket.transitionNote')} rules={fieldRules(t, 'TransitionIn', 'note')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Only people who can work tickets, grouped by department, each with their open tickets. */
export function AssigneePicker({ value, onChange }: { value?: number; onChange: (v: number | undefined) => void }) {
  const { t } = useTranslation();
  const departmentName = useDepartmentName();
  const enumLabel = useEnumLabel();
  const people = useAssignees().data ?? [];
  const groups = new Map<number | null, typeof people>();
  for (const p of people) groups.set(p.department_id, [...(groups.get(p.department_id) ?? []), p]);
  return (
    <Select
      style={{ width: '100%' }}
      showSearch={{ optionFilterProp: 'title' }}
      allowClear
      value={value}
      data-testid="assignee-picker"
      onChange={(v?: number) => onChange(v)}
      placeholder={t('ticket.fields.assignee_id')}
      options={[...groups.entries()].map(([department, members]) => ({
        label: department == null ? t('ticketActions.noDepartment') : departmentName(department),
        title: department == null ? t('ticketActions.noDepartment') : departmentName(department),
        options: members.map((m) => ({
          value: m.user_id,
          title: m.display_name,
          label: `${m.display_name}（${enumLabel('role', m.role)} · ${t('ticketActions.openCount', { n: m.open_tickets })}）`,
        })),
      }))}
    />
  );
}

function AssignModal({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const assign = useAssignTicket(ticket.id);
  const [assignee, setAssignee] = useState<number | undefined>(ticket.assignee_id ?? undefined);
  const [note, setNote] = useState('');
  return (
    <Modal
      open
      title={t('ticket.assign')}
      onCancel={onClose}
      okButtonProps={{ disabled: !assignee, loading: assign.isPending }}
      onOk={() =>
        assignee &&
        assign.mutate(
          { version: ticket.version, body: { assignee_id: assignee, note: note || null } },
          {
            onSuccess: () => {
              void message.success(t('ticket.assigned'));
              onClose();
            },
            onError: (error) => void message.error(problemMessage(t, error)),
          },
        )
      }>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <AssigneePicker value={assignee} onChange={setAssignee} />
        <Input.TextArea placeholder={t('common.note')} value={note} onChange={(e) => setNote(e.target.value)} />
      </Space>
    </Modal>
  );
}

function CollaboratorsModal({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const update = useUpdateTicket(ticket.id);
  const [users, setUsers] = useState(ticket.collaborator_user_ids);
  const [departments, setDepartments] = useState(ticket.collaborator_department_ids);
  return (
    <Modal
      open
      title={t('ticket.editCollaborators')}
      onCancel={onClose}
      okButtonProps={{ loading: update.isPending }}
      onOk={() =>
        update.mutate(
          { version: ticket.version, body: { collaborator_user_ids: users, collaborator_department_ids: departments } },
          {
            onSuccess: () => {
              void message.success(t('common.saved'));
              onClose();
            },
            onError: (error) => void message.error(problemMessage(t, error)),
          },
        )
      }>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text>{t('ticket.fields.collaborator_user_ids')}</Typography.Text>
        <UserSelect mode="multiple" style={{ width: '100%' }} value={users} onChange={(v: number[]) => setUsers(v)} />
        <Typography.Text>{t('ticket.fields.collaborator_department_ids')}</Typography.Text>
        <DepartmentSelect mode="multiple" style={{ width: '100%' }} value={departments} onChange={(v: number[]) => setDepartments(v)} />
      </Space>
    </Modal>
  );
}

interface ComplaintValues {
  root_cause?: string | null;
  responsible_party?: Schemas['ResponsibleParty'] | null;
  remedy?: string | null;
  revisit_at?: Dayjs | null;
}

function ComplaintCard({ ticket, editable }: { ticket: Ticket; editable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const enumLabel = useEnumLabel();
  const update = useUpdateTicket(ticket.id);
  const [editing, setEditing] = useState(false);
  const save = (v: ComplaintValues) =>
    update.mutate(
      {
        version: ticket.version,
        body: {
          root_cause: v.root_cause || null,
          responsible_party: v.responsible_party ?? null,
          remedy: v.remedy || null,
          revisit_at: fromPicker(v.revisit_at),
        },
      },
      {
        onSuccess: () => {
          void message.success(t('common.saved'));
          setEditing(false);
        },
        onError: (error) => void message.error(problemMessage(t, error)),
      },
    );
  return (
    <Card
      size="small"
      title={t('ticket.complaint')}
      extra={
        editable &&
        !editing && (
          <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(true)}>
            {t('common.edit')}
          </Button>
        )
      }>
      {editing ? (
        <Form layout="vertical" onFinish={save} initialValues={{ ...ticket, revisit_at: toPicker(ticket.revisit_at) }}>
          <Form.Item name="root_cause" label={t('ticket.fields.root_cause')} rules={fieldRules(t, 'TicketPatch', 'root_cause')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item
            name="responsible_party"
            label={t('ticket.fields.responsible_party')}
            rules={fieldRules(t, 'TicketPatch', 'responsible_party')}>
            <EnumSelect name="responsible_party" values={responsiblePartyValues} />
          </Form.Item>
          <Form.Item name="remedy" label={t('ticket.fields.remedy')} rules={fieldRules(t, 'TicketPatch', 'remedy')}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="revisit_at" label={t('ticket.fields.revisit_at')}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={update.isPending}>
              {t('common.save')}
            </Button>
            <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
          </Space>
        </Form>
      ) : (
        <Descriptions
          size="small"
          column={1}
          items={[
            { key: 'root_cause', label: t('ticket.fields.root_cause'), children: ticket.root_cause ?? '—' },
            {
              key: 'responsible_party',
              label: t('ticket.fields.responsible_party'),
              children: enumLabel('responsible_party', ticket.responsible_party),
            },
            { key: 'remedy', label: t('ticket.fields.remedy'), children: ticket.remedy ?? '—' },
            { key: 'revisit_at', label: t('ticket.fields.revisit_at'), children: formatDateTime(ticket.revisit_at) },
          ]}
        />
      )}
    </Card>
  );
}
