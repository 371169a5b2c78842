// Pickers over the API's enums and lists, labelled in the user's language.
import { Select, Tag, TreeSelect, type SelectProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../api/client';
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
    <Select allowClear {...props}
      options={values.map((value) => ({ value, label: t(`enums.${name}.${value}` as 'enums.stage.lost') }))} />
  );
}

export function useEnumLabel() {
  const { t } = useTranslation();
  return (name: EnumName, value: string | null | undefined) =>
    value == null ? '—' : t(`enums.${name}.${value}` as 'enums.stage.lost', { defaultValue: value });
}

export function UserSelect({ roles, ...props }: Props & { roles?: Schemas['Role'][] }) {
  const users = useUsers().data ?? [];
  return (
    <Select allowClear showSearch={{ optionFilterProp: 'label' }} {...props}
      options={users.filter((u) => u.is_active && (!roles || roles.includes(u.role)))
        .map((u) => ({ value: u.id, label: u.display_name }))} />
  );
}

export function DepartmentSelect(props: Props) {
  const departments = useDepartments().data ?? [];
  return <Select allowClear {...props} options={departments.map((d) => ({ value: d.id, label: d.name }))} />;
}

export function TagSelect(props: Props) {
  const tags = useTags().data ?? [];
  return (
    <Select allowClear showSearch={{ optionFilterProp: 'label' }} {...props}
      options={tags.map((tag) => ({ value: tag.id, label: tag.name }))}
      tagRender={({ label, closable, onClose, value }) => (
        <Tag color={tags.find((x) => x.id === value)?.color ?? undefined} closable={closable} onClose={onClose}>{label}</Tag>
      )} />
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
export function IndustrySelect(props: { value?: string | null; onChange?: (value: string | undefined) => void; style?: React.CSSProperties; placeholder?: string }) {
  const { i18n } = useTranslation();
  const industries = useIndustries().data ?? [];
  const treeData = industries.map((s) => ({
    value: s.code,
    title: `${s.code} ${i18n.language === 'en' ? s.label_en : s.label_zh}`,
    children: s.divisions.map((d) => ({ value: d, title: d })),
  }));
  return (
    <TreeSelect allowClear showSearch treeNodeFilterProp="title" treeData={treeData}
      value={props.value ?? undefined} onChange={(v: string | undefined) => props.onChange?.(v)}
      style={props.style} placeholder={props.placeholder} />
  );
}
