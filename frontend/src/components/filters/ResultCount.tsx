import { Button, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ListTotal } from '../../queries/listCount';

/**
 * "共 1,234 个客户"; past 10,000 matches "约 1,000,000 个客户" (the database's estimate) or
 * "10,000+ 个客户", with 精确计数 to count them all. Nothing while the total is unknown.
 */
export function ResultCount({
  count,
  noun,
  onExact,
  counting,
}: {
  count: ListTotal | null | undefined;
  noun: 'customer' | 'ticket';
  onExact: () => void;
  counting: boolean;
}) {
  const { t, i18n } = useTranslation();
  if (!count) return null;
  const n = count.total.toLocaleString(i18n.language);
  const text =
    count.accuracy === 'estimate'
      ? t(`${noun}.countEstimate`, { n })
      : count.accuracy === 'at_least'
        ? t(`${noun}.countAtLeast`, { n })
        : t(`${noun}.count`, { n });
  return (
    <Space size={4} data-testid="result-count">
      <Typography.Text type="secondary">{text}</Typography.Text>
      {count.accuracy !== 'exact' && (
        <Button type="link" size="small" loading={counting} onClick={onExact}>
          {t('filters.exactCount')}
        </Button>
      )}
    </Space>
  );
}
