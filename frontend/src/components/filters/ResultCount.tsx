import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** "共 N 个客户" / "共 N 张工单"; nothing while the total is unknown. */
export function ResultCount({ total, noun }: { total: number | null | undefined; noun: 'customer' | 'ticket' }) {
  const { t } = useTranslation();
  if (typeof total !== 'number') return null;
  return <Typography.Text type="secondary" data-testid="result-count">{t(`${noun}.count`, { n: total })}</Typography.Text>;
}
