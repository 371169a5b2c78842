import { PhoneOutlined } from '@ant-design/icons';
import { App, Button, Empty, Grid, Input, List, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { stageValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { FilterBar, PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, IndustrySelect, useEnumLabel, useIndustryLabel } from '../../components/selects';
import { formatPhone, fromNow, telHref } from '../../lib/format';
import { canAssignFromPool, canClaim } from '../../lib/permissions';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { poolKeys, useClaim, usePool, type PoolFilters } from '../../queries/pool';
import { useUserName } from '../../queries/users';
import { ChangeOwnerModal } from '../customers/ChangeOwnerModal';

type Item = Schemas['PoolCustomerOut'];

/** 公海: customers without an owner, latest released first; contacts masked until claimed. */
export default function PoolPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const claims = useClaims();
  const wide = Grid.useBreakpoint().md ?? true;
  const enumLabel = useEnumLabel();
  const industryLabel = useIndustryLabel();
  const userName = useUserName();
  const [filters, setFilters] = useState<PoolFilters>({});
  const [assigning, setAssigning] = useState<Item | null>(null);
  const pool = usePool(filters);
  const claim = useClaim();
  const set = (patch: Partial<PoolFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const active = Object.values(filters).filter((v) => (Array.isArray(v) ? v.length : v)).length;

  const claimButton = (item: Item) =>
    canClaim(claims) && (
      <Button
        type="primary"
        size="small"
        data-testid={`claim-${item.id}`}
        loading={claim.isPending && claim.variables === item.id}
        onClick={() =>
          claim.mutate(item.id, {
            onSuccess: () => void message.success(t('pool.claimed')),
            onError: (error) => void message.error(problemMessage(t, error)),
          })
        }>
        {t('pool.claim')}
      </Button>
    );
  const assignButton = (item: Item) =>
    canAssignFromPool(claims) && (
      <Button size="small" data-testid={`assign-${item.id}`} onClick={() => setAssigning(item)}>
        {t('pool.assign')}
      </Button>
    );
  const actions = (item: Item) => [claimButton(item), assignButton(item)].filter(Boolean);
  const primary = (item: Item) => {
    const contact = item.contacts[0];
    if (!contact) return '—';
    const phone = contact.mobile ?? contact.phone;
    return `${contact.name}${phone ? ` · ${formatPhone(phone)}` : ''}`;
  };

  return (
    <PageCard title={t('pool.title')}>
      <FilterBar active={active}>
        <Input.Search
          allowClear
          placeholder={t('customer.fields.name')}
          style={{ width: 200 }}
          data-testid="pool-name"
          onSearch={(name) => set({ name: name.trim() || undefined })}
        />
        <Input.Search
          allowClear
          placeholder={t('customer.fields.region')}
          style={{ width: 160 }}
          onSearch={(region) => set({ region: region.trim() || undefined })}
        />
        <IndustrySelect
          style={{ width: 200 }}
          placeholder={t('customer.fields.industry')}
          value={filters.industry}
          onChange={(industry) => set({ industry })}
        />
        <EnumSelect
          name="stage"
          values={stageValues}
          mode="multiple"
          style={{ minWidth: 160 }}
          placeholder={t('customer.fields.stage')}
          value={filters.stage ?? []}
          onChange={(stage: PoolFilters['stage']) => set({ stage })}
        />
      </FilterBar>
      <QueryState query={pool}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (!items.length) return <Empty description={t('pool.empty')} />;
          return (
            <>
              {wide ? (
                <Table<Item>
                  rowKey="id"
                  size="small"
                  dataSource={items}
                  pagination={false}
                  data-testid="pool-table"
                  scroll={{ x: 'max-content' }}
                  columns={[
                    { key: 'name', title: t('customer.fields.name'), render: (_, c) => <Link to={`/customers/${c.id}`}>{c.name}</Link> },
                    { key: 'code', title: t('customer.fields.code'), dataIndex: 'code' },
                    { key: 'industry', title: t('customer.fields.industry'), render: (_, c) => industryLabel(c.industry) },
                    { key: 'region', title: t('customer.fields.region'), render: (_, c) => c.region ?? '—' },
                    { key: 'stage', title: t('customer.fields.stage'), render: (_, c) => <Tag>{enumLabel('stage', c.stage)}</Tag> },
                    { key: 'contact', title: t('pool.primaryContact'), render: (_, c) => primary(c) },
                    {
                      key: 'entered',
                      title: t('pool.enteredAt'),
                      render: (_, c) => <span title={formatDateTime(c.pool_entered_at)}>{fromNow(c.pool_entered_at)}</span>,
                    },
                    ...(claims.role === 'admin'
                      ? [
                          {
                            key: 'by',
                            title: t('pool.releasedBy'),
                            render: (_: unknown, c: Item) =>
                              c.released_by == null ? t('customer.history.system') : userName(c.released_by),
                          },
                        ]
                      : []),
                    { key: 'actions', title: t('common.actions'), render: (_, c) => <Space size={4}>{actions(c)}</Space> },
                  ]}
                />
              ) : (
                <List
                  data-testid="pool-cards"
                  dataSource={items}
                  renderItem={(c) => {
                    const phone = c.contacts[0]?.mobile ?? c.contacts[0]?.phone;
                    return (
                      <List.Item key={c.id} actions={actions(c)}>
                        <Space orientation="vertical" size={2} style={{ minWidth: 0 }}>
                          <Link to={`/customers/${c.id}`}>
                            <Typography.Text strong ellipsis>
                              {c.name}
                            </Typography.Text>
                          </Link>
                          <Space wrap size={4}>
                            <Tag>{enumLabel('stage', c.stage)}</Tag>
                            {c.region && <Typography.Text type="secondary">{c.region}</Typography.Text>}
                          </Space>
                          <Typography.Text type="secondary">{primary(c)}</Typography.Text>
                          <Typography.Text type="secondary">
                            {t('pool.enteredAt')}: {fromNow(c.pool_entered_at)}
                          </Typography.Text>
                          {telHref(phone) && (
                            <a href={telHref(phone)}>
                              <PhoneOutlined /> {formatPhone(phone)}
                            </a>
                          )}
                        </Space>
                      </List.Item>
                    );
                  }}
                />
              )}
              {pool.hasNextPage && (
                <Button style={{ marginTop: 12 }} loading={pool.isFetchingNextPage} onClick={() => void pool.fetchNextPage()}>
                  {t('common.loadMore')}
                </Button>
              )}
            </>
          );
        }}
      </QueryState>
      {assigning && (
        <ChangeOwnerModal
          customerId={assigning.id}
          title={t('pool.assignTitle', { name: assigning.name })}
          hint={t('pool.assignHint')}
          saved={(ownerId: number) => t('pool.assigned', { owner: userName(ownerId) })}
          alsoRefresh={poolKeys.all}
          onClose={() => setAssigning(null)}
        />
      )}
    </PageCard>
  );
}
