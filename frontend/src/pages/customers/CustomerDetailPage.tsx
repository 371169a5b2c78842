import { DeleteOutlined, EditOutlined, ExportOutlined, InboxOutlined, PlusOutlined, UndoOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Flex, Input, Modal, Popconfirm, Popover, Space, Tabs, Tag, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { PdfButton } from '../../components/ExportButton';
import { Masked } from '../../components/Masked';
import { NotFound } from '../../components/NotFound';
import { QueryState } from '../../components/QueryState';
import { TagSelect, useEnumLabel, useIndustryLabel } from '../../components/selects';
import { canArchiveCustomer, canEditCustomer, canRelease, canSeeSales, canUnarchiveOrDelete } from '../../lib/permissions';
import { useRelease } from '../../queries/pool';
import { problemMessage } from '../../lib/problems';
import { formatMoney } from '../../lib/format';
import { formatDateTime } from '../../lib/time';
import { NEW_PARAM } from '../../lib/useNewParam';
import { useCustomFields } from '../../queries/customFields';
import {
  useArchiveCustomer,
  useAssignTags,
  useCustomer,
  useCustomerSummary,
  useDeleteCustomer,
  useUnarchiveCustomer,
  useUnassignTag,
} from '../../queries/customers';
import { useUserName } from '../../queries/users';
import { ContactsTab } from './ContactsTab';
import { CustomerTicketsTab } from './CustomerTicketsTab';
import { FollowUpsTab } from './FollowUpsTab';
import { HistoryTab } from './HistoryTab';
import { OpportunitiesTab } from './OpportunitiesTab';
import { OrdersTab } from './OrdersTab';
import { PendingChangeRequests } from './PendingChangeRequests';
import { TaskList } from '../tasks/TaskList';
import { ValueTab } from './ValueTab';
import { SummaryStrip, type Summary } from './SummaryStrip';

type Customer = Schemas['CustomerOut'];

export default function CustomerDetailPage() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id)) return <NotFound />;
  return <CustomerDetail id={id} />;
}

function CustomerDetail({ id }: { id: number }) {
  const customer = useCustomer(id);
  return <QueryState query={customer}>{(c) => <Detail customer={c} />}</QueryState>;
}

/**
 * The customer's tabs, each a component over its own queries/<resource>.ts. Orders and
 * opportunities carry money and are not offered to agents (the API answers them 403).
 */
// `t` as a plain function: the typed one's key union is too deep for tsc to instantiate here.
function customerTabs(customer: Customer, t: (key: string) => string, sales: boolean, summary?: Summary) {
  // "联系人 (2)": a tab says how many records it holds, once the summary is in.
  const counted = (label: string, n: number | null | undefined) => (n == null ? label : `${label} (${n})`);
  return [
    { key: 'basic', label: t('customer.tabs.basic'), children: <BasicTab customer={customer} /> },
    { key: 'contacts', label: counted(t('customer.tabs.contacts'), summary?.contacts), children: <ContactsTab customer={customer} /> },
    ...(sales
      ? [{ key: 'orders', label: counted(t('customer.tabs.orders'), summary?.orders), children: <OrdersTab customer={customer} /> }]
      : []),
    {
      key: 'follow-ups',
      label: counted(t('customer.tabs.followUps'), summary?.follow_ups),
      children: <FollowUpsTab customer={customer} />,
    },
    ...(sales
      ? [
          {
            key: 'opportunities',
            label: counted(t('customer.tabs.opportunities'), summary?.opportunities),
            children: <OpportunitiesTab customer={customer} />,
          },
        ]
      : []),
    { key: 'tickets', label: counted(t('customer.tabs.tickets'), summary?.tickets), children: <CustomerTicketsTab customer={customer} /> },
    {
      key: 'tasks',
      label: counted(t('tasks.tab'), summary?.open_tasks),
      children: <TaskList customerId={customer.id} customerOwnerId={customer.owner_id} />,
    },
    { key: 'value', label: t('value.tab'), children: <ValueTab customer={customer} showValue={sales} /> },
    { key: 'history', label: t('customer.tabs.history'), children: <HistoryTab customerId={customer.id} /> },
  ];
}

function Detail({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const enumLabel = useEnumLabel();
  const [search, setSearch] = useSearchParams();
  const editable = canEditCustomer(claims, customer);
  const summary = useCustomerSummary(customer.id).data;
  const tabs = customerTabs(customer, (key) => String(t(key as 'tasks.tab')), canSeeSales(claims), summary);
  const tab = tabs.some((x) => x.key === search.get('tab')) ? search.get('tab')! : 'basic';

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card>
        <Flex justify="space-between" wrap gap={12}>
          <div>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="customer-name">
              {customer.name}
            </Typography.Title>
            <Space wrap style={{ marginTop: 8 }}>
              <Typography.Text type="secondary">{customer.code}</Typography.Text>
              <Tag>{enumLabel('kind', customer.kind)}</Tag>
              <Tag color="blue">{enumLabel('stage', customer.stage)}</Tag>
              {customer.grade && <Tag color="gold">{customer.grade}</Tag>}
            </Space>
          </div>
          <Space wrap align="start">
            <PdfButton path={`/customers/${customer.id}`} name={customer.code} />
            <Actions customer={customer} />
          </Space>
        </Flex>
        <SummaryStrip customer={customer} />
        <CustomerTags customer={customer} editable={editable} />
        <PendingChangeRequests customerId={customer.id} />
        {customer.archived && <Alert style={{ marginTop: 12 }} type="warning" title={t('customer.archivedBanner')} />}
        {customer.warnings.map((w) => (
          <Alert
            key={w.code}
            style={{ marginTop: 12 }}
            type="info"
            showIcon
            data-testid={`warning-${w.code}`}
            title={t(`customer.warnings.${w.code}` as 'customer.warnings.fewer-than-two-contact-methods', { defaultValue: w.message })}
          />
        ))}
      </Card>
      <Card>
        <Tabs
          activeKey={tab}
          items={tabs}
          destroyOnHidden
          onChange={(key) => {
            const next = new URLSearchParams(search);
            next.set('tab', key);
            next.delete(NEW_PARAM); // a quick action's "new" belongs to the tab it was for
            setSearch(next, { replace: true });
          }}
        />
      </Card>
    </Space>
  );
}

function Actions({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const claims = useClaims();
  const [archiving, setArchiving] = useState<'archive' | 'unarchive' | 'release' | null>(null);
  const [reason, setReason] = useState('');
  const archive = useArchiveCustomer(customer.id);
  const unarchive = useUnarchiveCustomer(customer.id);
  const remove = useDeleteCustomer(customer.id);
  const release = useRelease(customer.id);
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  return (
    <Space wrap>
      {canEditCustomer(claims, customer) && (
        <Link to={`/customers/${customer.id}/edit`}>
          <Button icon={<EditOutlined />} data-testid="edit-customer">
            {t('common.edit')}
          </Button>
        </Link>
      )}
      {canArchiveCustomer(claims, customer) && (
        <Button icon={<InboxOutlined />} onClick={() => setArchiving('archive')}>
          {t('customer.archive')}
        </Button>
      )}
      {canRelease(claims, customer) && (
        <Button icon={<ExportOutlined />} onClick={() => setArchiving('release')} data-testid="release-customer">
          {t('pool.release')}
        </Button>
      )}
      {canUnarchiveOrDelete(claims) && customer.archived && (
        <Button icon={<UndoOutlined />} onClick={() => setArchiving('unarchive')}>
          {t('customer.unarchive')}
        </Button>
      )}
      {canUnarchiveOrDelete(claims) && (
        <Popconfirm
          title={t('customer.deleteConfirm')}
          onConfirm={() =>
            remove.mutate(customer.version, {
              onSuccess: () => {
                void message.success(t('common.deleted'));
                void navigate('/customers');
              },
              onError: fail,
            })
          }>
          <Button danger icon={<DeleteOutlined />}>
            {t('common.delete')}
          </Button>
        </Popconfirm>
      )}
      <Modal
        open={archiving !== null}
        title={archiving === 'release' ? t('pool.release') : t(`customer.${archiving ?? 'archive'}`)}
        onCancel={() => setArchiving(null)}
        okButtonProps={{ disabled: !reason.trim(), loading: archive.isPending || unarchive.isPending || release.isPending }}
        onOk={() =>
          (archiving === 'unarchive' ? unarchive : archiving === 'release' ? release : archive).mutate(
            { version: customer.version, reason },
            {
              onSuccess: () => {
                setArchiving(null);
                setReason('');
                // Released: an account manager no longer sees the customer.
                if (archiving === 'release') {
                  void message.success(t('pool.released'));
                  if (claims.role !== 'admin') void navigate('/customers');
                }
              },
              onError: fail,
            },
          )
        }>
        {archiving === 'release' && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('pool.releaseHint')} />}
        <Input.TextArea
          placeholder={archiving === 'release' ? t('pool.releaseReason') : t('customer.archiveReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-testid="reason-input"
        />
      </Modal>
    </Space>
  );
}

function CustomerTags({ customer, editable }: { customer: Customer; editable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [adding, setAdding] = useState<number[]>([]);
  const [open, setOpen] = useState(false);
  const assign = useAssignTags();
  const unassign = useUnassignTag(customer.id);
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  return (
    <Flex wrap gap={4} align="center" style={{ marginTop: 12 }} data-testid="customer-tags">
      {customer.tags.map((tag) => (
        <Tag
          key={tag.id}
          closable={editable}
          onClose={(e) => {
            e.preventDefault();
            unassign.mutate(tag.id, { onError: fail });
          }}>
          {tag.name}
        </Tag>
      ))}
      {editable && (
        <Popover
          open={open}
          onOpenChange={setOpen}
          trigger="click"
          content={
            <Space.Compact style={{ width: 280, maxWidth: '80vw' }}>
              <TagSelect
                mode="multiple"
                style={{ width: '100%' }}
                value={adding}
                data-testid="tag-picker"
                onChange={(ids: number[]) => setAdding(ids)}
              />
              <Button
                type="primary"
                disabled={!adding.length}
                loading={assign.isPending}
                data-testid="tag-add-confirm"
                onClick={() =>
                  assign.mutate(
                    { customerId: customer.id, tagIds: adding },
                    {
                      onSuccess: () => {
                        setAdding([]);
                        setOpen(false);
                      },
                      onError: fail,
                    },
                  )
                }>
                {t('common.add')}
              </Button>
            </Space.Compact>
          }>
          <Button size="small" type="dashed" icon={<PlusOutlined />} data-testid="add-tag">
            {t('customer.addTag')}
          </Button>
        </Popover>
      )}
    </Flex>
  );
}

function BasicTab({ customer }: { customer: Customer }) {
  const { t, i18n } = useTranslation();
  const enumLabel = useEnumLabel();
  const industryLabel = useIndustryLabel();
  const userName = useUserName();
  const fields = useCustomFields().data ?? [];
  const masked = customer.masked_fields;
  const item = (key: string, children: ReactNode) => ({
    key,
    label: t(`customer.fields.${key}` as 'customer.fields.name'),
    children: (
      <Masked field={key} masked={masked}>
        {children}
      </Masked>
    ),
  });
  const kindItems =
    customer.kind === 'organization'
      ? [
          item('credit_code', customer.credit_code),
          item('industry', industryLabel(customer.industry)),
          item('size', customer.size),
          item('main_business', customer.main_business),
        ]
      : [item('id_number', customer.id_number), item('gender', enumLabel('gender', customer.gender)), item('birthday', customer.birthday)];
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          item('code', customer.code),
          item('name', customer.name),
          ...kindItems,
          item('region', customer.region),
          item('address', customer.address),
          item('stage', enumLabel('stage', customer.stage)),
          item('activity_status', enumLabel('activity_status', customer.activity_status)),
          item('grade', customer.grade),
          item('source', enumLabel('source', customer.source)),
          item('urgency', enumLabel('urgency', customer.urgency)),
          item('owner_id', userName(customer.owner_id)),
          item('first_contact_at', formatDateTime(customer.first_contact_at)),
          item('last_contact_at', formatDateTime(customer.last_contact_at)),
          item('cumulative_amount', formatMoney(customer.cumulative_amount)),
          item('created_at', formatDateTime(customer.created_at)),
          item('updated_at', formatDateTime(customer.updated_at)),
          // Other systems' ids (ERP and the like), shown only where a sync set them.
          ...(Object.keys(customer.external_ids ?? {}).length
            ? [
                item(
                  'external_ids',
                  Object.entries(customer.external_ids)
                    .map(([system, id]) => `${system}: ${id}`)
                    .join('；'),
                ),
              ]
            : []),
        ]}
      />
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, md: 2 }}
        title={t('customer.fields.custom_fields')}
        items={
          fields.length
            ? fields.map((f) => {
                const value = customer.custom_fields[f.key];
                return {
                  key: f.key,
                  label: i18n.language === 'en' ? f.label_en : f.label_zh,
                  children: (
                    <Masked field={`custom_fields.${f.key}`} masked={masked}>
                      {value == null ? null : typeof value === 'boolean' ? t(value ? 'common.yes' : 'common.no') : String(value)}
                    </Masked>
                  ),
                };
              })
            : [{ key: 'none', label: '', children: t('customer.noCustomFields') }]
        }
      />
    </Space>
  );
}
