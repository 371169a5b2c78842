import { LockOutlined } from '@ant-design/icons';
import { Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A value the server may have masked for this user (`masked_fields`): a masked value is shown
 * as the server sent it (1101**********1234) with a lock; a withheld one (null) as "no access".
 */
export function Masked({ field, masked, children }: { field: string; masked: readonly string[]; children: ReactNode }) {
  const { t } = useTranslation();
  if (!masked.includes(field)) return <>{children ?? '—'}</>;
  return (
    <Tooltip title={t('common.masked')}>
      <Typography.Text type="secondary" data-testid={`masked-${field}`}>
        <LockOutlined /> {children ?? t('common.hidden')}
      </Typography.Text>
    </Tooltip>
  );
}
