// Pickers over the API's enums and lists, labelled in the user's language.
import { Select, Tag, TreeSelect, type SelectProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
import { useCustomerSearch } from '../queries/customers';
import { useDepartments } from '../queries/departments';
import { useIndustries } from '../queries/industries';
import { useTags } from '../queries/tags';
import { useUsers } from '../queries/users';
import zh from '../i18n/zh-CN';

export type EnumName = keyof typeof zh.enums;

type Props = Omit<SelectProps, 'options'>;

export function EnumSelect({ name, values, ...props }: Props & { name: EnumName; values: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <Select allowClear {...props} options={values.map((value) => ({ value, label: t(`enums.${name}.${value}` as 'enums.stage.lost') }))} />
  );
}

export function useEnumLabel() {
  const { t } = useTranslation();
  return (name: EnumName, value: string | null | undefined) =>
    value == null ? '—' : t(`enums.${name}.${value}` as 'enums.stage.lost', { defaultValue: value });
}

/** `leading`: options before the users (a filter's "no owner"). */
export function UserSelect({
  roles,
  leading = [],
  ...props
}: Props & {
  roles?: Schemas['Role'][];
  leading?: { value: string; label: string }[];
}) {
  const users = useUsers().data ?? [];
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      {...props}
      options={[
        ...leading,
        ...users.filter((u) => u.is_active && (!roles || roles.includes(u.role))).map((u) => ({ value: u.id, label: u.display_name })),
      ]}
    />
  );
}

export function DepartmentSelect(props: Props) {
  const departments = useDepartments().data ?? [];
  return <Select allowClear {...props} options={departments.map((d) => ({ value: d.id, label: d.name }))} />;
}

export function TagSelect(props: Props) {
  const tags = useTags().data ?? [];
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      {...props}
      options={tags.map((tag) => ({ value: tag.id, label: tag.name }))}
      tagRender={({ label, closable, onClose, value }) => (
        <Tag color={tags.find((x) => x.id === value)?.color ?? undefined} closable={closable} onClose={onClose}>
          {label}
        </Tag>
      )}
    />
  );
}

/** The categories of the tags (`区域` of `区域-华东`). */
export function TagCategorySelect(props: Props) {
  const tags = useTags().data ?? [];
  const categories = [...new Set(tags.map((tag) => tag.category).filter((c): c is string => !!c))].sort();
  return <Select allowClear {...props} options={categories.map((c) => ({ value: c, label: c }))} />;
}

/** A customer found by typing part of its name. */
export function CustomerPicker({
  placeholder,
  style,
  value,
  onChange,
  selectedName,
}: {
  value?: number;
  onChange?: (v: number | undefined) => void;
  placeholder?: string;
  style?: React.CSSProperties;
  selectedName?: string;
}) {
  const [name, setName] = useState('');
  const found = useCustomerSearch(name).data?.items ?? [];
  const options = found.map((c) => ({ value: c.id, label: c.name }));
  // The chosen customer keeps its name when a new search no longer lists it.
  if (value !== undefined && selectedName && !options.some((o) => o.value === value)) {
    options.unshift({ value, label: selectedName });
  }
  return (
    <Select
      showSearch={{ filterOption: false, onSearch: setName }}
      allowClear
      value={value}
      onChange={onChange}
      placeholder={placeholder}
      style={style}
      options={options}
    />
  );
}

export function useIndustryLabel() {
  const { i18n } = useTranslation();
  const industries = useIndustries().data ?? [];
  return (code: string | null | undefined) => {
    if (!code) return '—';
    const section = industries.find((s) => s.code === code[0]);
    const name = section ? (i18n.language === 'en' ? section.label_en : section.label_zh) : '';
    return code.length === 1 ? `${code} ${name}` : `${code}（${name}）`;
  };
}

/** A GB/T 4754 section or one of its divisions. */
export function IndustrySelect(props: {
  value?: string | null;
  onChange?: (value: string | undefined) => void;
  style?: React.CSSProperties;
  placeholder?: string;
}) {
  const { i18n } = useTranslation();
  const industries = useIndustries().data ?? [];
  const treeData = industries.map((s) => ({
    value: s.code,
    title: `${s.code} ${i18n.language === 'en' ? s.label_en : s.label_zh}`,
    children: s.divisions.map((d) => ({ value: d, title: d })),
  }));
  return (
    <TreeSelect
      allowClear
      showSearch
      treeNodeFilterProp="title"
      treeData={treeData}
      value={props.value ?? undefined}
      onChange={(v: string | undefined) => props.onChange?.(v)}
      style={props.style}
      placeholder={props.placeholder}
    />
  );
}
