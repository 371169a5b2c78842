import { PlusOutlined, SettingOutlined, SwapOutlined, TagsOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Dropdown,
  Flex,
  Grid,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { Schemas } from '../../api/client';
import { stageValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { ExportButton } from '../../components/ExportButton';
import { CustomerFilters } from '../../components/filters/CustomerFilters';
import { ResultCount } from '../../components/filters/ResultCount';
import { SortSelect } from '../../components/filters/SortSelect';
import { Masked } from '../../components/Masked';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, TagSelect, UserSelect, useEnumLabel, useIndustryLabel } from '../../components/selects';
import { CUSTOMER_FILTERS, customerQuery, customerSortValues, PAGE_SIZES } from '../../lib/listQueries';
import { ViewsMenu } from '../../components/ViewsMenu';
import { canCreateCustomer, canFilterAmounts, canTransferCustomers } from '../../lib/permissions';
import { problemMessage } from '../../lib/problems';
import { formatMoney } from '../../lib/format';
import { formatDateTime } from '../../lib/time';
import { cursorStack, nextPage, previousPage, withFilters } from '../../lib/urlState';
import { customerKeys, updateCustomer, useAssignTags, useCustomerCount, useCustomers } from '../../queries/customers';
import { useUserName } from '../../queries/users';
import { CustomerCards, PoolWarningTag } from './CustomerCards';

type Customer = Schemas['CustomerOut'];
type ColumnKey =
  | 'code'
  | 'kind'
  | 'stage'
  | 'grade'
  | 'activity_status'
  | 'industry'
  | 'region'
  | 'owner_id'
  | 'tags'
  | 'last_contact_at'
  | 'cumulative_amount'
  | 'created_at'
  | 'updated_at';

const OPTIONAL: ColumnKey[] = [
  'code',
  'kind',
  'stage',
  'grade',
  'activity_status',
  'industry',
  'region',
  'owner_id',
  'tags',
  'last_contact_at',
  'cumulative_amount',
  'created_at',
  'updated_at',
];
const DEFAULT_COLUMNS: ColumnKey[] = ['code', 'kind', 'stage', 'grade', 'owner_id', 'tags', 'last_contact_at', 'created_at'];
const COLUMNS_KEY = 'crm.customerColumns';

function storedColumns(): ColumnKey[] {
  try {
    const saved = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? 'null') as unknown;
    if (Array.isArray(saved)) return OPTIONAL.filter((k) => saved.includes(k));
  } catch {
    // fall through to the defaults
  }
  return DEFAULT_COLUMNS;
}

export default function CustomerListPage() {
  const { t } = useTranslation();
  const claims = useClaims();
  const wide = Grid.useBreakpoint().md ?? true; // a phone gets cards, not a sideways table
  const [search, setSearch] = useSearchParams();
  const amounts = canFilterAmounts(claims);
  const query = customerQuery(search, { amounts });
  const customers = useCustomers(query);
  const count = useCustomerCount(query);
  // Only the sorts the API declares; amounts' not for roles that do not see them.
  const sorts = customerSortValues.filter((s) => amounts || !s.endsWith('cumulative_amount'));
  const sortable = new Set(sorts.map((s) => s.replace(/^-/, '')));
  const [columns, setColumns] = useState<ColumnKey[]>(storedColumns);
  const [selected, setSelected] = useState<number[]>([]);
  const [tagging, setTagging] = useState(false);
  const [bulkEdit, setBulkEdit] = useState<BulkField | null>(null);
  const enumLabel = useEnumLabel();
  const industryLabel = useIndustryLabel();
  const userName = useUserName();
  const page = cursorStack(search).length + 1;
  const mine = search.get('owner_id') === String(claims.userId);

  const setFilters = (values: { sort?: string }) => {
    setSelected([]);
    setSearch(withFilters(CUSTOMER_FILTERS, search, values));
  };
  const chooseColumns = (keys: ColumnKey[]) => {
    setColumns(keys);
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(keys));
  };
  const sortOrder = (key: string): SortOrder => {
    const sort = query.sort ?? '-created_at';
    if (sort === key) return 'ascend';
    if (sort === `-${key}`) return 'descend';
    return null;
  };

  const all: Record<ColumnKey | 'name', TableColumnsType<Customer>[number]> = {
    name: {
      key: 'name',
      title: t('customer.fields.name'),
      fixed: 'left',
      width: 200,
      render: (_, c) => (
        <Space size={4} wrap>
          <Link to={`/customers/${c.id}`}>{c.name}</Link>
          <PoolWarningTag customer={c} />
        </Space>
      ),
    },
    code: { key: 'code', title: t('customer.fields.code'), dataIndex: 'code', width: 150 },
    kind: { key: 'kind', title: t('customer.fields.kind'), render: (_, c) => enumLabel('kind', c.kind) },
    stage: { key: 'stage', title: t('customer.fields.stage'), render: (_, c) => enumLabel('stage', c.stage) },
    grade: { key: 'grade', title: t('customer.fields.grade'), render: (_, c) => c.grade ?? '—' },
    activity_status: {
      key: 'activity_status',
      title: t('customer.fields.activity_status'),
      render: (_, c) => enumLabel('activity_status', c.activity_status),
    },
    industry: { key: 'industry', title: t('customer.fields.industry'), render: (_, c) => industryLabel(c.industry) },
    region: { key: 'region', title: t('customer.fields.region'), render: (_, c) => c.region ?? '—' },
    owner_id: { key: 'owner_id', title: t('customer.fields.owner_id'), render: (_, c) => userName(c.owner_id) },
    tags: { key: 'tags', title: t('customer.fields.tags'), render: (_, c) => c.tags.map((tag) => <Tag key={tag.id}>{tag.name}</Tag>) },
    last_contact_at: {
      key: 'last_contact_at',
      title: t('customer.fields.last_contact_at'),
      render: (_, c) => formatDateTime(c.last_contact_at),
    },
    cumulative_amount: {
      key: 'cumulative_amount',
      title: t('customer.fields.cumulative_amount'),
      align: 'right',
      render: (_, c) => (
        <Masked field="cumulative_amount" masked={c.masked_fields}>
          {/* a masked value is shown as the server sent it */}
          {c.masked_fields.includes('cumulative_amount') ? c.cumulative_amount : formatMoney(c.cumulative_amount)}
        </Masked>
      ),
    },
    created_at: { key: 'created_at', title: t('customer.fields.created_at'), render: (_, c) => formatDateTime(c.created_at) },
    updated_at: { key: 'updated_at', title: t('customer.fields.updated_at'), render: (_, c) => formatDateTime(c.updated_at) },
  };
  const shown = (['name', ...OPTIONAL.filter((k) => columns.includes(k))] as const).map((key) => ({
    ...all[key],
    ...(sortable.has(key) ? { sorter: true, sortOrder: sortOrder(key), sortDirections: ['ascend', 'descend'] as SortOrder[] } : {}),
  }));

  const columnChooser = (
    <Dropdown
      trigger={['click']}
      popupRender={() => (
        <Card size="small">
          <Checkbox.Group
            style={{ display: 'grid', gap: 4 }}
            value={columns}
            onChange={(keys) => chooseColumns(keys as ColumnKey[])}
            options={OPTIONAL.map((k) => ({ value: k, label: t(`customer.fields.${k}`) }))}
          />
        </Card>
      )}>
      <Button icon={<SettingOutlined />} data-testid="column-chooser">
        {t('common.columns')}
      </Button>
    </Dropdown>
  );

  return (
    <PageCard
      title={t('customer.title')}
      actions={
        <>
          <ExportButton path="/customers" query={query} />
          <ViewsMenu resource="customers" spec={CUSTOMER_FILTERS} search={search} apply={setSearch} />
          {claims.role === 'admin' && (
            // An account manager's list is theirs anyway; an admin sees everyone's.
            <Button
              icon={<UserOutlined />}
              data-testid="my-customers"
              aria-pressed={mine}
              type={mine ? 'primary' : 'default'}
              ghost={mine}
              onClick={() => {
                setSelected([]);
                setSearch(withFilters(CUSTOMER_FILTERS, search, { owner_id: mine ? undefined : String(claims.userId) }));
              }}>
              {t('customer.mine')}
            </Button>
          )}
          {canCreateCustomer(claims) && (
            <>
              <Link to="/customers/new?kind=organization">
                <Button type="primary" icon={<PlusOutlined />} data-testid="new-organization">
                  {t('customer.newOrganization')}
                </Button>
              </Link>
              <Link to="/customers/new?kind=individual">
                <Button icon={<PlusOutlined />}>{t('customer.newIndividual')}</Button>
              </Link>
              <Link to="/imports">
                <Button data-testid="import-link">{t('imports.nav')}</Button>
              </Link>
            </>
          )}
        </>
      }>
      <CustomerFilters
        search={search}
        onChange={(next) => {
          setSelected([]);
          setSearch(next);
        }}
        tools={columnChooser}
        phoneTools={
          <SortSelect
            sorts={sorts}
            value={query.sort ?? '-created_at'}
            onChange={(sort) => setFilters({ sort })}
            label={(field) => t(`customer.fields.${field}` as 'customer.fields.name')}
          />
        }
        footer={<ResultCount count={count.data} noun="customer" onExact={count.askExact} counting={count.counting} />}
      />
      {selected.length > 0 && claims.scopes.has('customers:write') && (
        <Space style={{ marginBottom: 12 }}>
          <Typography.Text>{t('customer.selected', { n: selected.length })}</Typography.Text>
          <Button icon={<TagsOutlined />} onClick={() => setTagging(true)} data-testid="bulk-tags">
            {t('customer.bulkTags')}
          </Button>
          <Button onClick={() => setBulkEdit('stage')} data-testid="bulk-stage">
            {t('customer.bulkStage')}
          </Button>
          {canTransferCustomers(claims) && (
            <Button icon={<SwapOutlined />} onClick={() => setBulkEdit('owner_id')} data-testid="bulk-owner">
              {t('customer.bulkOwner')}
            </Button>
          )}
        </Space>
      )}
      <QueryState query={customers}>
        {(data) => (
          <>
            {!wide && <CustomerCards customers={data.items} />}
            {wide && (
              <Table<Customer>
                rowKey="id"
                size="middle"
                dataSource={data.items}
                columns={shown}
                loading={customers.isFetching}
                pagination={false}
                scroll={{ x: 'max-content' }}
                rowSelection={
                  claims.scopes.has('customers:write')
                    ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }
                    : undefined
                }
                onChange={(_, __, sorter) => {
                  const s = Array.isArray(sorter) ? sorter[0] : sorter;
                  const key = String(s?.columnKey ?? '');
                  const sort = s?.order && sortable.has(key) ? `${s.order === 'descend' ? '-' : ''}${key}` : undefined;
                  setFilters({ sort });
                }}
              />
            )}
            <Flex justify="flex-end" align="center" gap={8} style={{ marginTop: 16 }} wrap>
              <ResultCount count={count.data} noun="customer" onExact={count.askExact} counting={count.counting} />
              <Button disabled={page === 1} onClick={() => setSearch(previousPage(search))}>
                {t('common.prev')}
              </Button>
              <Typography.Text data-testid="page-number">{t('common.page', { n: page })}</Typography.Text>
              <Button
                disabled={!data.next_cursor}
                data-testid="next-page"
                onClick={() => data.next_cursor && setSearch(nextPage(search, data.next_cursor))}>
                {t('common.next')}
              </Button>
              <Select
                value={query.limit}
                style={{ width: 110 }}
                options={PAGE_SIZES.map((n) => ({ value: n, label: t('common.perPage', { n }) }))}
                onChange={(limit: number) => {
                  const next = withFilters(CUSTOMER_FILTERS, search, {});
                  next.set('limit', String(limit));
                  setSearch(next);
                }}
              />
            </Flex>
          </>
        )}
      </QueryState>
      <BulkTagModal
        open={tagging}
        customerIds={selected}
        onClose={(done) => {
          setTagging(false);
          if (done) setSelected([]);
        }}
      />
      {bulkEdit && (
        <BulkEditModal
          field={bulkEdit}
          customers={(customers.data?.items ?? []).filter((c) => selected.includes(c.id))}
          onClose={(done) => {
            setBulkEdit(null);
            if (done) setSelected([]);
          }}
        />
      )}
    </PageCard>
  );
}

function BulkTagModal({ open, customerIds, onClose }: { open: boolean; customerIds: number[]; onClose: (done: boolean) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [tagIds, setTagIds] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const assign = useAssignTags();
  const submit = async () => {
    setBusy(true);
    const results = await Promise.allSettled(customerIds.map((customerId) => assign.mutateAsync({ customerId, tagIds })));
    setBusy(false);
    const failed = results.filter((r) => r.status === 'rejected');
    const done = results.length - failed.length;
    if (done) void message.success(t('customer.bulkTagsDone', { n: done }));
    if (failed[0]?.status === 'rejected') {
      void message.error(`${t('customer.bulkTagsFailed', { n: failed.length })}: ${problemMessage(t, failed[0].reason)}`);
    }
    setTagIds([]);
    onClose(failed.length === 0);
  };
  return (
    <Modal
      open={open}
      title={t('customer.bulkTags')}
      onCancel={() => onClose(false)}
      onOk={() => void submit()}
      okButtonProps={{ disabled: tagIds.length === 0, loading: busy }}
      destroyOnHidden>
      <Typography.Paragraph>{t('customer.selected', { n: customerIds.length })}</Typography.Paragraph>
      <TagSelect mode="multiple" style={{ width: '100%' }} value={tagIds} onChange={(ids: number[]) => setTagIds(ids)} />
    </Modal>
  );
}

type BulkField = 'stage' | 'owner_id';

/** One field set on every selected customer, each through the API's rules: an account
 *  manager's transfer becomes a change request for an admin to approve (202). */
function BulkEditModal({ field, customers, onClose }: { field: BulkField; customers: Customer[]; onClose: (done: boolean) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [value, setValue] = useState<string | number | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    const body = { [field]: value } as Schemas['CustomerPatch'];
    const results = await Promise.allSettled(customers.map((c) => updateCustomer(c.id, c.version, body)));
    setBusy(false);
    await client.invalidateQueries({ queryKey: customerKeys.all });
    const pending = results.filter((r) => r.status === 'fulfilled' && 'items' in r.value).length;
    const failed = results.filter((r) => r.status === 'rejected');
    const done = results.length - failed.length - pending;
    if (done) void message.success(t('customer.bulkDone', { n: done }));
    if (pending) void message.info(t('customer.bulkPending', { n: pending }));
    if (failed[0]?.status === 'rejected') {
      void message.error(`${t('customer.bulkFailed', { n: failed.length })}: ${problemMessage(t, failed[0].reason)}`);
    }
    onClose(failed.length === 0);
  };
  return (
    <Modal
      open
      title={t(field === 'stage' ? 'customer.bulkStage' : 'customer.bulkOwner')}
      onCancel={() => onClose(false)}
      onOk={() => void submit()}
      okButtonProps={{ disabled: value == null, loading: busy }}
      destroyOnHidden>
      <Typography.Paragraph>{t('customer.selected', { n: customers.length })}</Typography.Paragraph>
      {field === 'stage' ? (
        <EnumSelect
          name="stage"
          values={stageValues}
          style={{ width: '100%' }}
          value={value ?? undefined}
          onChange={(v: string) => setValue(v)}
          placeholder={t('customer.newStage')}
          data-testid="bulk-value"
        />
      ) : (
        <UserSelect
          roles={['account_manager', 'admin']}
          style={{ width: '100%' }}
          value={value ?? undefined}
          onChange={(v: number) => setValue(v)}
          placeholder={t('customer.newOwner')}
          data-testid="bulk-value"
        />
      )}
      {field === 'owner_id' && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {t('customer.bulkOwnerHint')}
        </Typography.Paragraph>
      )}
    </Modal>
  );
}
