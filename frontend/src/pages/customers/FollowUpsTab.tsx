import { CheckCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Empty,
  Form,
  Input,
  Row,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { methodValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, useEnumLabel } from '../../components/selects';
import { clearChangedErrors, fieldRules, type RequestField } from '../../lib/formRules';
import { canEditCustomer } from '../../lib/permissions';
import { useNewParam } from '../../lib/useNewParam';
import { formProblem } from '../../lib/problems';
import { dateFromPicker, formatDateTime, fromPicker, toPicker } from '../../lib/time';
import { useCreateFollowUp, useCustomerFollowUps } from '../../queries/followUps';
import { useCustomerOpportunities } from '../../queries/opportunities';
import { useUserName } from '../../queries/users';

type FollowUp = Schemas['FollowUpOut'];
const FIELDS = ['method', 'at', 'summary', 'feedback', 'next_action', 'next_action_due_on', 'effective', 'opportunity_id'] as const;

interface Values {
  method: Schemas['Method'];
  at: Dayjs | null;
  summary?: string;
  feedback?: string;
  next_action?: string;
  next_action_due_on?: Dayjs | null;
  effective: boolean;
  opportunity_id?: number | null;
}

const OPEN_STAGES = new Set(['intent', 'quote', 'contract']);

/** Quick entry of a follow-up: the server's field errors (a blank summary) show next to the fields. */
export function FollowUpForm({ customerId, onDone }: { customerId: number; onDone?: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [general, setGeneral] = useState<string[]>([]);
  const create = useCreateFollowUp();
  const opportunities = useCustomerOpportunities(customerId);
  const open = (opportunities.data?.items ?? []).filter((o) => OPEN_STAGES.has(o.stage));
  const label = (field: string) => t(`followUp.fields.${field}` as 'followUp.fields.summary', { defaultValue: field });
  const blank = (v: string | undefined) => (v && v.trim() ? v : null);
  const rules = (f: RequestField<'FollowUpCreate'>) => fieldRules(t, 'FollowUpCreate', f);

  const submit = async (values: Values) => {
    setGeneral([]);
    try {
      await create.mutateAsync({
        customer_id: customerId,
        method: values.method,
        at: fromPicker(values.at),
        // Sent as typed: the server decides what a summary must be (only spaces is a 422).
        summary: values.summary ?? '',
        feedback: blank(values.feedback),
        next_action: blank(values.next_action),
        next_action_due_on: dateFromPicker(values.next_action_due_on),
        effective: values.effective,
        opportunity_id: values.opportunity_id ?? null,
      });
      void message.success(t('followUp.saved'));
      form.resetFields();
      form.setFieldValue('at', toPicker(new Date().toISOString()));
      onDone?.();
    } catch (error) {
      const problem = formProblem(t, error, FIELDS, label);
      form.setFields(problem.fields as Parameters<typeof form.setFields>[0]);
      setGeneral(problem.general);
    }
  };

  const col = (node: React.ReactNode, md = 12) => (
    <Col xs={24} md={md}>
      {node}
    </Col>
  );
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      data-testid="follow-up-form"
      onFinish={(v) => void submit(v)}
      onValuesChange={(changed: object) => clearChangedErrors(form, changed)}
      initialValues={{ method: 'phone', at: toPicker(new Date().toISOString()), effective: false }}>
      {general.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={general.join('; ')} />}
      <Row gutter={12}>
        {col(
          <Form.Item name="method" label={label('method')} rules={rules('method')}>
            <EnumSelect name="method" values={methodValues} allowClear={false} data-testid="follow-up-method" />
          </Form.Item>,
        )}
        {col(
          <Form.Item name="at" label={label('at')}>
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
          </Form.Item>,
        )}
        {col(
          <Form.Item name="summary" label={label('summary')} rules={rules('summary')}>
            <Input.TextArea autoSize={{ minRows: 2 }} />
          </Form.Item>,
          24,
        )}
        {col(
          <Form.Item name="feedback" label={label('feedback')} rules={rules('feedback')}>
            <Input.TextArea autoSize={{ minRows: 1 }} />
          </Form.Item>,
          24,
        )}
        {col(
          <Form.Item name="next_action" label={label('next_action')} rules={rules('next_action')}>
            <Input />
          </Form.Item>,
        )}
        {col(
          <Form.Item name="next_action_due_on" label={label('next_action_due_on')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>,
        )}
        {col(
          <Form.Item name="opportunity_id" label={label('opportunity_id')} rules={rules('opportunity_id')}>
            <Select allowClear options={open.map((o) => ({ value: o.id, label: o.title }))} />
          </Form.Item>,
        )}
        {col(
          <Form.Item name="effective" label={label('effective')} valuePropName="checked">
            <Checkbox>{t('followUp.effectiveHint')}</Checkbox>
          </Form.Item>,
        )}
      </Row>
      <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="save-follow-up">
        {t('common.save')}
      </Button>
    </Form>
  );
}

/** The customer's follow-ups as a timeline, newest first, with quick entry for those who may write. */
export function FollowUpsTab({ customer }: { customer: Schemas['CustomerOut'] }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const editable = canEditCustomer(claims, customer);
  const [adding, setAdding] = useState(false);
  useNewParam(() => setAdding(true), editable);
  const followUps = useCustomerFollowUps(customer.id);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {editable &&
        (adding ? (
          <Card size="small" title={t('followUp.add')}>
            <FollowUpForm customerId={customer.id} onDone={() => setAdding(false)} />
          </Card>
        ) : (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="add-follow-up">
            {t('followUp.add')}
          </Button>
        ))}
      <QueryState query={followUps}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (!items.length) return <Empty description={t('followUp.empty')} />;
          return (
            <>
              <FollowUpTimeline items={items} />
              {followUps.hasNextPage && (
                <Button onClick={() => void followUps.fetchNextPage()} loading={followUps.isFetchingNextPage}>
                  {t('common.loadMore')}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
    </Space>
  );
}

export function FollowUpTimeline({ items }: { items: FollowUp[] }) {
  const { t } = useTranslation();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  return (
    <Timeline
      data-testid="follow-up-timeline"
      items={items.map((f) => ({
        key: f.id,
        color: f.effective ? 'green' : 'blue',
        content: (
          <div data-testid="follow-up">
            <Space wrap size={4}>
              <Typography.Text strong>{formatDateTime(f.at)}</Typography.Text>
              <Tag>{enumLabel('method', f.method)}</Tag>
              {f.effective && <Tag color="green">{t('followUp.effective')}</Tag>}
              <Typography.Text type="secondary">{userName(f.owner_id)}</Typography.Text>
            </Space>
            <Typography.Paragraph style={{ margin: '4px 0', whiteSpace: 'pre-wrap' }}>{f.summary}</Typography.Paragraph>
            {f.feedback && (
              <Typography.Paragraph type="secondary" style={{ margin: '4px 0', whiteSpace: 'pre-wrap' }}>
                {t('followUp.fields.feedback')}: {f.feedback}
              </Typography.Paragraph>
            )}
            {f.next_action && (
              <Typography.Text>
                {t('followUp.nextAction')}: {f.next_action}
                {f.next_action_due_on && ` (${t('followUp.due')} ${f.next_action_due_on})`}
                {f.next_action_done_at && (
                  <Tag icon={<CheckCircleOutlined />} color="default" style={{ marginLeft: 8 }}>
                    {t('followUp.done')}
                  </Tag>
                )}
              </Typography.Text>
            )}
          </div>
        ),
      }))}
    />
  );
}
