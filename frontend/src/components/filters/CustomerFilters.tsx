// The customer list's filters: every one GET /customers takes, the most used in the bar.
import { DatePicker, Select } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { activityStatusValues, gradeValues, kindValues, sourceValues, stageValues, urgencyValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { CUSTOMER_FILTERS, valueLevelValues, type CustomerFilterValues } from '../../lib/listQueries';
import { canFilterAmounts, canListArchived } from '../../lib/permissions';
import { dateFromPicker, dateToPicker } from '../../lib/time';
import { readParams, withFilters, withoutFilters } from '../../lib/urlState';
import { useCustomFields } from '../../queries/customFields';
import { DepartmentSelect, EnumSelect, IndustrySelect, TagCategorySelect, TagSelect, UserSelect } from '../selects';
import { chipsOf } from './chips';
import { DateRange, fieldStyle, NumberBox, NumberRange, SearchBox } from './controls';
import { customFieldFilters } from './customFieldFilters';
import { FilterChips, useChipLookups } from './FilterChips';
import { FilterPanel, type FilterField } from './FilterPanel';
import { CUSTOMER_CHIPS } from './specs';

const UNOWNED = 'unowned';
type ManyKey = { [K in keyof CustomerFilterValues]: CustomerFilterValues[K] extends string[] ? K : never }[keyof CustomerFilterValues];

export function CustomerFilters({
  search,
  onChange,
  tools,
  phoneTools,
  footer,
}: {
  search: URLSearchParams;
  onChange: (next: URLSearchParams) => void;
  tools?: ReactNode;
  phoneTools?: ReactNode;
  footer?: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const claims = useClaims();
  const lookups = useChipLookups();
  const definitions = useCustomFields().data ?? [];
  const p = readParams(CUSTOMER_FILTERS, search);
  const set = (values: Partial<CustomerFilterValues>) => onChange(withFilters(CUSTOMER_FILTERS, search, values));
  const clearAll = () => onChange(withoutFilters(CUSTOMER_FILTERS, search));
  const set1 = (key: keyof CustomerFilterValues) => (value?: string | number) => set({ [key]: value?.toString() });
  const setMany = (key: keyof CustomerFilterValues) => (values: (string | number)[]) => set({ [key]: values.map(String) });
  const tagIds = (values: string[]) => values.map(Number);
  const sales = canFilterAmounts(claims);
  // Agents do not see sensitive custom fields, so they are not offered as filters either.
  const visibleFields = definitions.filter((d) => sales || !d.sensitive);

  const field = (key: string, label: string, active: boolean, render: (inDrawer: boolean) => ReactNode): FilterField => ({
    key,
    label,
    active,
    render,
  });
  const enumField = (
    key: ManyKey,
    label: string,
    name: Parameters<typeof EnumSelect>[0]['name'],
    values: readonly string[],
    width: number,
  ) =>
    field(key, label, p[key].length > 0, (d) => (
      <EnumSelect
        name={name}
        values={values}
        mode="multiple"
        maxTagCount="responsive"
        placeholder={label}
        style={fieldStyle(d, width)}
        value={p[key]}
        onChange={setMany(key)}
        data-testid={`filter-${key}`}
      />
    ));
  const dateRange = (
    from: 'created_from' | 'first_contact_from' | 'last_contact_from',
    to: 'created_to' | 'first_contact_to' | 'last_contact_to',
    label: string,
  ) =>
    field(from, label, !!(p[from] || p[to]), (d) => (
      <DateRange
        from={p[from]}
        to={p[to]}
        style={fieldStyle(d, 240)}
        testId={`filter-${from}`}
        onChange={(a, b) => set({ [from]: a, [to]: b })}
      />
    ));

  const owner = p.unowned === 'true' ? UNOWNED : p.owner_id ? Number(p.owner_id) : undefined;
  const bar: FilterField[] = [
    field('q', t('filters.search'), !!p.q, (d) => (
      <SearchBox value={p.q} onChange={set1('q')} placeholder={t('customer.filters.q')} style={fieldStyle(d, 240)} testId="filter-q" />
    )),
    enumField('stage', t('customer.fields.stage'), 'stage', stageValues, 160),
    field('grade', t('customer.fields.grade'), p.grade.length > 0, (d) => (
      <Select
        mode="multiple"
        maxTagCount="responsive"
        allowClear
        placeholder={t('customer.fields.grade')}
        style={fieldStyle(d, 120)}
        options={gradeValues.map((g) => ({ value: g, label: g }))}
        value={p.grade}
        onChange={setMany('grade')}
      />
    )),
    field('owner', t('customer.fields.owner_id'), owner !== undefined, (d) => (
      <UserSelect
        roles={['account_manager', 'admin']}
        placeholder={t('customer.fields.owner_id')}
        style={fieldStyle(d, 140)}
        leading={[{ value: UNOWNED, label: t('customer.filters.unowned') }]}
        value={owner}
        data-testid="filter-owner"
        onChange={(v?: number | string) =>
          set(v === UNOWNED ? { unowned: 'true', owner_id: undefined } : { unowned: undefined, owner_id: v?.toString() })
        }
      />
    )),
    field('tags_all', t('customer.filters.tagsAll'), p.tags_all.length > 0, (d) => (
      <TagSelect
        mode="multiple"
        maxTagCount="responsive"
        placeholder={t('customer.filters.tagsAll')}
        style={fieldStyle(d, 180)}
        value={tagIds(p.tags_all)}
        onChange={setMany('tags_all')}
        data-testid="filter-tags_all"
      />
    )),
  ];

  const more: FilterField[] = [
    field('kind', t('customer.fields.kind'), !!p.kind, (d) => (
      <EnumSelect
        name="kind"
        values={kindValues}
        placeholder={t('customer.fields.kind')}
        style={fieldStyle(d, 120)}
        value={p.kind}
        onChange={set1('kind')}
        data-testid="filter-kind"
      />
    )),
    enumField('activity_status', t('customer.fields.activity_status'), 'activity_status', activityStatusValues, 160),
    ...(sales ? [enumField('value_level', t('customer.filters.valueLevel'), 'value_level', valueLevelValues, 160)] : []),
    enumField('source', t('customer.fields.source'), 'source', sourceValues, 160),
    enumField('urgency', t('customer.fields.urgency'), 'urgency', urgencyValues, 160),
    field('industry', t('customer.fields.industry'), !!p.industry, (d) => (
      <IndustrySelect
        placeholder={t('customer.fields.industry')}
        style={fieldStyle(d, 200)}
        value={p.industry}
        onChange={set1('industry')}
      />
    )),
    field('region', t('customer.filters.region'), p.region.length > 0, (d) => (
      <Select
        mode="tags"
        open={false}
        tokenSeparators={[',', '，']}
        placeholder={t('customer.filters.regionHint')}
        style={fieldStyle(d, 200)}
        value={p.region}
        onChange={setMany('region')}
        data-testid="filter-region"
      />
    )),
    field('owner_department_id', t('customer.filters.ownerDepartment'), !!p.owner_department_id, (d) => (
      <DepartmentSelect
        placeholder={t('customer.filters.ownerDepartment')}
        style={fieldStyle(d, 160)}
        value={p.owner_department_id ? Number(p.owner_department_id) : undefined}
        onChange={set1('owner_department_id')}
      />
    )),
    field('tags_any', t('customer.filters.tagsAny'), p.tags_any.length > 0, (d) => (
      <TagSelect
        mode="multiple"
        maxTagCount="responsive"
        placeholder={t('customer.filters.tagsAny')}
        style={fieldStyle(d, 180)}
        value={tagIds(p.tags_any)}
        onChange={setMany('tags_any')}
        data-testid="filter-tags_any"
      />
    )),
    field('tags_none', t('customer.filters.tagsNone'), p.tags_none.length > 0, (d) => (
      <TagSelect
        mode="multiple"
        maxTagCount="responsive"
        placeholder={t('customer.filters.tagsNone')}
        style={fieldStyle(d, 180)}
        value={tagIds(p.tags_none)}
        onChange={setMany('tags_none')}
        data-testid="filter-tags_none"
      />
    )),
    field('tag_category', t('customer.filters.tagCategory'), !!p.tag_category, (d) => (
      <TagCategorySelect
        placeholder={t('customer.filters.tagCategory')}
        style={fieldStyle(d, 140)}
        value={p.tag_category}
        onChange={set1('tag_category')}
      />
    )),
    dateRange('created_from', 'created_to', t('customer.filters.created')),
    dateRange('first_contact_from', 'first_contact_to', t('customer.filters.firstContact')),
    dateRange('last_contact_from', 'last_contact_to', t('customer.filters.lastContact')),
    field('not_contacted_days', t('customer.filters.notContactedDays'), !!p.not_contacted_days, (d) => (
      <NumberBox
        value={p.not_contacted_days}
        min={1}
        onChange={set1('not_contacted_days')}
        style={fieldStyle(d, 140)}
        placeholder={t('customer.filters.notContactedDays')}
        suffix={t('filters.daySuffix')}
        testId="filter-not_contacted_days"
      />
    )),
    field('next_follow_up_to', t('customer.filters.nextFollowUpTo'), !!p.next_follow_up_to, (d) => (
      <DatePicker
        style={fieldStyle(d, 160)}
        placeholder={t('customer.filters.nextFollowUpTo')}
        value={dateToPicker(p.next_follow_up_to)}
        onChange={(v) => set({ next_follow_up_to: dateFromPicker(v) ?? undefined })}
      />
    )),
    ...(sales
      ? [
          field('amount', t('customer.filters.amount'), !!(p.amount_min || p.amount_max), (d) => (
            <NumberRange
              precision={2}
              min={p.amount_min}
              max={p.amount_max}
              style={fieldStyle(d, 220)}
              testId="filter-amount"
              onChange={(a, b) => set({ amount_min: a, amount_max: b })}
            />
          )),
          field('order_count', t('customer.filters.orderCount'), !!(p.order_count_min || p.order_count_max), (d) => (
            <NumberRange
              precision={0}
              min={p.order_count_min}
              max={p.order_count_max}
              style={fieldStyle(d, 220)}
              onChange={(a, b) => set({ order_count_min: a, order_count_max: b })}
            />
          )),
        ]
      : []),
    ...customFieldFilters(visibleFields, p.custom, (custom) => set({ custom }), t, i18n.language),
    ...(canListArchived(claims)
      ? [
          field('archived', t('customer.fields.archived'), !!p.archived && p.archived !== 'false', (d) => (
            <EnumSelect
              name="archived"
              values={['false', 'true', 'all']}
              allowClear={false}
              style={fieldStyle(d, 120)}
              value={p.archived ?? 'false'}
              onChange={set1('archived')}
            />
          )),
        ]
      : []),
  ];

  const chips = chipsOf(CUSTOMER_CHIPS, p, lookups);
  return (
    <>
      <FilterPanel bar={bar} more={more} tools={tools} phoneTools={phoneTools} footer={footer} onClearAll={clearAll} />
      <FilterChips
        chips={chips}
        onClearAll={clearAll}
        onRemove={(chip) => onChange(withFilters(CUSTOMER_FILTERS, search, chip.remove as Partial<CustomerFilterValues>))}
      />
    </>
  );
}
