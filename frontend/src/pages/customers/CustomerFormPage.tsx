import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Divider,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Typography,
  type FormInstance,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { Schemas } from '../../api/client';
import { genderValues, gradeValues, kindValues, sizeValues, sourceValues, stageValues, urgencyValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { changeRequestText } from '../../components/ChangeRequestChange';
import { NotFound } from '../../components/NotFound';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, IndustrySelect, TagSelect, UserSelect } from '../../components/selects';
import { canEditCustomer, canSetCustomerField } from '../../lib/permissions';
import { formProblem } from '../../lib/problems';
import { apiValues, changedValues, createValues, initialValues, type FormValues } from '../../lib/customerForm';
import { clearChangedErrors, creditCodeRule, fieldRules, idNumberRule, type RequestField } from '../../lib/formRules';
import { knownOne } from '../../lib/urlState';
import { useCustomFields } from '../../queries/customFields';
import { useCreateCustomer, useCustomer, useSameCustomers, useUpdateCustomer } from '../../queries/customers';
import { useUserName } from '../../queries/users';

type Customer = Schemas['CustomerOut'];
type Kind = Schemas['Kind'];

const ORGANIZATION = ['credit_code', 'industry', 'size', 'main_business'];
const INDIVIDUAL = ['id_number', 'gender', 'birthday'];
// The new customer's primary contact (ContactFields), created with it.
const CONTACT = ['name', 'title', 'mobile', 'phone', 'email', 'wechat'] as const;
const COMMON = [
  'primary_contact',
  'name',
  'region',
  'address',
  'stage',
  'grade',
  'source',
  'urgency',
  'first_contact_at',
  'owner_id',
  'grade_locked',
  'tag_ids',
  'custom_fields',
];

export default function CustomerFormPage() {
  const { id } = useParams();
  const [search] = useSearchParams();
  if (id === undefined) {
    return <CustomerForm kind={knownOne(kindValues, search.get('kind') ?? undefined) ?? 'organization'} />;
  }
  const customerId = Number(id);
  return Number.isInteger(customerId) ? <EditCustomer id={customerId} /> : <NotFound />;
}

function EditCustomer({ id }: { id: number }) {
  const customer = useCustomer(id);
  return <QueryState query={customer}>{(c) => <CustomerForm kind={c.kind} customer={c} />}</QueryState>;
}

function CustomerForm({ kind, customer }: { kind: Kind; customer?: Customer }) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const claims = useClaims();
  const [form] = Form.useForm<FormValues>();
  const [general, setGeneral] = useState<string[]>([]);
  const customFields = useCustomFields();
  const userName = useUserName(); // owners by name in the change requests' dialog
  const create = useCreateCustomer();
  const update = useUpdateCustomer(customer?.id ?? 0);
  if (customer && !canEditCustomer(claims, customer)) return <NotFound />;
  if (!customFields.data) return <QueryState query={customFields}>{() => null}</QueryState>;
  const fields = customFields.data;
  const initial = initialValues(customer, fields);
  const formFields = [...COMMON, ...(kind === 'organization' ? ORGANIZATION : INDIVIDUAL)];
  const label = (field: string) => t(`customer.fields.${field}` as 'customer.fields.name', { defaultValue: field });

  const submit = async ({ into_pool: intoPool, ...values }: FormValues) => {
    setGeneral([]);
    const body = apiValues(values, fields);
    try {
      if (customer) {
        const changes = changedValues(apiValues(initial, fields), body);
        const saved = await update.mutateAsync({ version: customer.version, body: changes });
        if ('items' in saved) {
          // 202: key fields of a non-admin's edit wait for an admin's approval; the rest is saved.
          modal.info({
            title: t('changeRequest.submitted'),
            content: (
              <>
                <p>{t('changeRequest.submittedHint')}</p>
                <ul data-testid="pending-change-requests">
                  {saved.items.map((cr) => (
                    <li key={cr.id}>
                      {label(cr.field)}: {changeRequestText(cr, t, userName)}
                    </li>
                  ))}
                </ul>
              </>
            ),
          });
        } else {
          void message.success(t('common.saved'));
        }
        void navigate(`/customers/${customer.id}`);
      } else {
        // An admin may create it straight into the public pool (an explicit null owner).
        const created = { ...createValues(body), kind, ...(intoPool ? { owner_id: null } : {}) };
        const saved = await create.mutateAsync(created as Schemas['CustomerCreate']);
        void message.success(t('customer.created'));
        void navigate(`/customers/${saved.id}`);
      }
    } catch (error) {
      const problem = formProblem(t, error, formFields, label);
      form.setFields(problem.fields as Parameters<typeof form.setFields>[0]);
      setGeneral(problem.general);
    }
  };

  const required = [{ required: true, message: t('fieldError.required') }];
  // The contract's rules; the name and the kind's code are required on an edit too (the server
  // refuses to empty them).
  const schema = customer ? 'CustomerPatch' : 'CustomerCreate';
  const rules = (field: RequestField<typeof schema>, options: { required?: boolean } = {}) => fieldRules(t, schema, field, options);
  const may = (field: string) => canSetCustomerField(claims, field);
  const col = (node: React.ReactNode, key?: string) => (
    <Col key={key} xs={24} md={12}>
      {node}
    </Col>
  );
  return (
    <Card
      title={
        customer
          ? t('customer.editTitle', { name: customer.name })
          : t(kind === 'organization' ? 'customer.newOrganization' : 'customer.newIndividual')
      }>
      {general.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="form-errors"
          title={general.map((g) => (
            <div key={g}>{g}</div>
          ))}
        />
      )}
      {!customer && <SameCustomers form={form} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed: object) => {
          clearChangedErrors(form, changed);
          if (general.length) setGeneral([]);
        }}
        scrollToFirstError>
        <Row gutter={16}>
          {col(
            <Form.Item name="name" label={label('name')} rules={rules('name', { required: true })}>
              <Input />
            </Form.Item>,
          )}
          {kind === 'organization' ? (
            <>
              {col(
                <Form.Item
                  name="credit_code"
                  label={label('credit_code')}
                  validateFirst
                  rules={[...rules('credit_code', { required: true }), creditCodeRule(t)]}>
                  <Input />
                </Form.Item>,
              )}
              {col(
                <Form.Item name="industry" label={label('industry')} rules={rules('industry')}>
                  <IndustrySelect />
                </Form.Item>,
              )}
              {col(
                <Form.Item name="size" label={label('size')} rules={rules('size')}>
                  <Select allowClear options={sizeValues.map((s) => ({ value: s, label: s }))} />
                </Form.Item>,
              )}
              {col(
                <Form.Item name="main_business" label={label('main_business')} rules={rules('main_business')}>
                  <Input />
                </Form.Item>,
              )}
            </>
          ) : (
            <>
              {col(
                <Form.Item
                  name="id_number"
                  label={label('id_number')}
                  validateFirst
                  rules={[...rules('id_number', { required: true }), idNumberRule(t)]}>
                  <Input />
                </Form.Item>,
              )}
              {col(
                <Form.Item name="gender" label={label('gender')} rules={rules('gender')}>
                  <EnumSelect name="gender" values={genderValues} />
                </Form.Item>,
              )}
              {col(
                <Form.Item name="birthday" label={label('birthday')}>
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>,
              )}
            </>
          )}
          {col(
            <Form.Item name="region" label={label('region')} rules={rules('region')}>
              <Input placeholder="华东-上海" />
            </Form.Item>,
          )}
          {col(
            <Form.Item name="address" label={label('address')} rules={rules('address')}>
              <Input />
            </Form.Item>,
          )}
          {col(
            <Form.Item name="stage" label={label('stage')} rules={rules('stage')}>
              <EnumSelect name="stage" values={stageValues} allowClear={false} />
            </Form.Item>,
          )}
          {may('grade') &&
            col(
              <Form.Item name="grade" label={label('grade')} rules={rules('grade')}>
                <Select allowClear options={gradeValues.map((g) => ({ value: g, label: g }))} data-testid="customer-grade" />
              </Form.Item>,
            )}
          {may('grade_locked') &&
            col(
              <Form.Item name="grade_locked" label={label('grade_locked')} valuePropName="checked" extra={t('customer.gradeLockedHint')}>
                <Switch data-testid="customer-grade-locked" />
              </Form.Item>,
            )}
          {col(
            <Form.Item name="source" label={label('source')} rules={rules('source')}>
              <EnumSelect name="source" values={sourceValues} />
            </Form.Item>,
          )}
          {col(
            <Form.Item name="urgency" label={label('urgency')} rules={rules('urgency')}>
              <EnumSelect name="urgency" values={urgencyValues} />
            </Form.Item>,
          )}
          {col(
            <Form.Item name="first_contact_at" label={label('first_contact_at')}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
            </Form.Item>,
          )}
          {may('owner_id') &&
            col(
              <Form.Item name="owner_id" label={label('owner_id')} rules={rules('owner_id')}>
                <UserSelect roles={['account_manager', 'admin']} data-testid="customer-owner" />
              </Form.Item>,
            )}
          {may('owner_id') &&
            !customer &&
            col(
              <Form.Item name="into_pool" valuePropName="checked" label=" ">
                <Checkbox data-testid="create-into-pool">{t('pool.createInPool')}</Checkbox>
              </Form.Item>,
            )}
          {col(
            <Form.Item name="tag_ids" label={label('tags')} rules={rules('tag_ids')}>
              <TagSelect mode="multiple" />
            </Form.Item>,
          )}
        </Row>
        {!customer && <PrimaryContactFields />}
        {fields.length > 0 && <Divider titlePlacement="start">{label('custom_fields')}</Divider>}
        <Row gutter={16}>
          {fields.map((f) =>
            col(
              <Form.Item
                name={['custom_fields', f.key]}
                label={i18n.language === 'en' ? f.label_en : f.label_zh}
                valuePropName={f.type === 'bool' ? 'checked' : 'value'}
                rules={f.required ? required : undefined}>
                {f.type === 'number' ? (
                  <InputNumber style={{ width: '100%' }} />
                ) : f.type === 'date' ? (
                  <DatePicker style={{ width: '100%' }} />
                ) : f.type === 'enum' ? (
                  <Select allowClear options={f.options.map((o) => ({ value: o, label: o }))} />
                ) : f.type === 'bool' ? (
                  <Switch />
                ) : (
                  <Input />
                )}
              </Form.Item>,
              f.key,
            ),
          )}
        </Row>
        <Space>
          <Button type="primary" htmlType="submit" loading={create.isPending || update.isPending} data-testid="save-customer">
            {t('common.save')}
          </Button>
          <Button onClick={() => void navigate(-1)}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}

/** The new customer's primary contact: optional, but a name once any way to reach them is given. */
function PrimaryContactFields() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const others = CONTACT.filter((f) => f !== 'name').map((f) => ['primary_contact', f]);
  return (
    <>
      <Divider titlePlacement="start">{t('customer.primaryContact')}</Divider>
      <Typography.Paragraph type="secondary">{t('customer.primaryContactHint')}</Typography.Paragraph>
      <Row gutter={16} data-testid="primary-contact">
        {CONTACT.map((f) => (
          <Col key={f} xs={24} md={12}>
            <Form.Item
              name={['primary_contact', f]}
              label={t(`contact.fields.${f}`)}
              dependencies={f === 'name' ? others : undefined}
              rules={[
                ...fieldRules(t, 'ContactFields', f, { optional: true }),
                ...(f === 'name'
                  ? [
                      {
                        validator: async (_: unknown, value: unknown) => {
                          const filled = others.some((path) => String(form.getFieldValue(path) ?? '').trim() !== '');
                          if (filled && String(value ?? '').trim() === '') throw new Error(t('customer.contactNameRequired'));
                        },
                      },
                    ]
                  : []),
              ]}>
              <Input data-testid={`primary-contact-${f}`} />
            </Form.Item>
          </Col>
        ))}
      </Row>
    </>
  );
}

/** While a new customer is typed: the customers it would repeat (same name, credit code or
 *  ID number), each a link when the user may open it, else whose it is. A warning, not a
 *  refusal: people and even companies share names. */
function SameCustomers({ form }: { form: FormInstance<FormValues> }) {
  const { t } = useTranslation();
  const name = (Form.useWatch('name', form) as string | undefined)?.trim() ?? '';
  const creditCode = (Form.useWatch('credit_code', form) as string | undefined)?.trim() ?? '';
  const idNumber = (Form.useWatch('id_number', form) as string | undefined)?.trim() ?? '';
  const [params, setParams] = useState({ name: '', credit_code: '', id_number: '' });
  useEffect(() => {
    // asked once the typing pauses
    const timer = setTimeout(() => setParams({ name, credit_code: creditCode, id_number: idNumber }), 400);
    return () => clearTimeout(timer);
  }, [name, creditCode, idNumber]);
  const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v.length >= 2));
  const same = useSameCustomers(query);
  const items = same.data ?? [];
  if (items.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="same-customers"
      title={t('customer.sameAs.title')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {items.map((c, i) => (
            <li key={`${c.field}-${c.customer_id ?? i}`}>
              {t(`customer.sameAs.field.${c.field}`)}：
              {c.customer_id != null ? (
                <Link to={`/customers/${c.customer_id}`} target="_blank">
                  {c.code} {c.name}
                </Link>
              ) : c.in_pool ? (
                t('customer.sameAs.inPool')
              ) : (
                t('customer.sameAs.owner', { owner: c.owner_name ?? '—' })
              )}
            </li>
          ))}
        </ul>
      }
    />
  );
}
