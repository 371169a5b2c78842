import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { problemMessage } from '../lib/problems';

/**
 * A table row's icon buttons: edit, then `extra`, then delete. Delete asks first; the confirm
 * closes at once and a failed delete shows the server's problem as a message.
 */
export function RowActions({ onEdit, onDelete, extra }: { onEdit: () => void; onDelete?: () => Promise<unknown>; extra?: ReactNode }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Space>
      <Button size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={onEdit} />
      {extra}
      {onDelete && (
        <Popconfirm
          title={t('common.confirmDelete')}
          onConfirm={() => void onDelete().catch((error: unknown) => void message.error(problemMessage(t, error)))}>
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
        </Popconfirm>
      )}
    </Space>
  );
}
