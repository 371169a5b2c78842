import { CloseOutlined } from '@ant-design/icons';
import { Flex, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCustomFields } from '../../queries/customFields';
import { useDepartmentName } from '../../queries/departments';
import { useTags } from '../../queries/tags';
import { useUserName } from '../../queries/users';
import type { Chip, ChipLookups, Translate } from './chips';

/** Names for the ids and keys chips show, from the (cached) users, departments, tags and
 * custom fields; `customerName` for the one customer a ticket list may be filtered to. */
export function useChipLookups(customerName?: (id: number) => string): ChipLookups {
  const { t, i18n } = useTranslation();
  const user = useUserName();
  const department = useDepartmentName();
  const tags = useTags().data ?? [];
  const fields = useCustomFields().data ?? [];
  return {
    // Chip labels are keys held in data (specs.ts); a test checks each is in both dictionaries.
    t: t as unknown as Translate,
    user,
    department,
    tag: (id) => tags.find((tag) => tag.id === id)?.name ?? `#${id}`,
    customer: customerName ?? ((id) => `#${id}`),
    customField: (key) => {
      const field = fields.find((f) => f.key === key);
      return field && { label: i18n.language === 'en' ? field.label_en : field.label_zh, type: field.type };
    },
  };
}

/** The active conditions above a list; closing one removes it, "clear all" removes them all. */
export function FilterChips({ chips, onRemove, onClearAll }: { chips: Chip[]; onRemove: (chip: Chip) => void; onClearAll: () => void }) {
  const { t } = useTranslation();
  if (chips.length === 0) return null;
  return (
    <Flex wrap gap={6} align="center" style={{ marginBottom: 12 }} data-testid="filter-chips">
      {chips.map((chip) => (
        <Tag
          key={chip.id}
          closable
          data-testid="filter-chip"
          style={{ marginInlineEnd: 0, whiteSpace: 'normal' }}
          closeIcon={<CloseOutlined aria-label={t('filters.remove')} />}
          onClose={(e) => {
            e.preventDefault();
            onRemove(chip);
          }}>
          {chip.text}
        </Tag>
      ))}
      <Typography.Link onClick={onClearAll} data-testid="clear-filters">
        {t('filters.clearAll')}
      </Typography.Link>
    </Flex>
  );
}
