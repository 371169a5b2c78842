import { Select } from 'antd';
import { useTranslation } from 'react-i18next';

/** A list's sorts as one select (a phone has no table headers to click); `label` names a
 * sort's field, `-field` is the descending one. */
export function SortSelect({
  sorts,
  value,
  onChange,
  label,
}: {
  sorts: readonly string[];
  value: string;
  onChange: (sort: string) => void;
  label: (field: string) => string;
}) {
  const { t } = useTranslation();
  return (
    <Select
      value={value}
      onChange={onChange}
      style={{ minWidth: 150 }}
      aria-label={t('filters.sort')}
      data-testid="sort-select"
      popupMatchSelectWidth={false}
      options={sorts.map((s) => {
        const field = label(s.replace(/^-/, ''));
        return { value: s, label: s.startsWith('-') ? t('filters.descending', { field }) : t('filters.ascending', { field }) };
      })}
    />
  );
}
