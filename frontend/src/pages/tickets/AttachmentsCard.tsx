import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, List, Progress, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { QueryState } from '../../components/QueryState';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { downloadAttachment, useAttachments, useUploadAttachment } from '../../queries/attachments';

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function AttachmentsCard({ ticket, canUpload }: { ticket: Schemas['TicketOut']; canUpload: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const attachments = useAttachments(ticket.id);
  const upload = useUploadAttachment(ticket.id);
  const [progress, setProgress] = useState<number | null>(null);
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  return (
    <Card
      size="small"
      title={t('ticket.attachments')}
      extra={
        canUpload && (
          <Upload
            showUploadList={false}
            accept=".png,.jpg,.jpeg,.pdf,.docx,.xlsx"
            customRequest={({ file }) => {
              setProgress(0);
              upload.mutate(
                { file: file as File, onProgress: setProgress },
                {
                  onSuccess: () => void message.success(t('ticket.uploaded')),
                  onError: fail,
                  onSettled: () => setProgress(null),
                },
              );
            }}>
            <Button size="small" icon={<UploadOutlined />} loading={upload.isPending} data-testid="upload">
              {t('ticket.upload')}
            </Button>
          </Upload>
        )
      }>
      {progress !== null && <Progress percent={progress} size="small" data-testid="upload-progress" />}
      <QueryState query={attachments}>
        {(rows) => (
          <List
            size="small"
            dataSource={rows}
            locale={{ emptyText: t('ticket.noAttachments') }}
            renderItem={(a) => (
              <List.Item
                actions={[
                  <Button
                    key="download"
                    size="small"
                    type="link"
                    icon={<DownloadOutlined />}
                    aria-label={t('common.download')}
                    onClick={() => downloadAttachment(a).catch(fail)}
                  />,
                ]}>
                <List.Item.Meta title={a.filename} description={`${size(a.size)} · ${formatDateTime(a.created_at)}`} />
              </List.Item>
            )}
          />
        )}
      </QueryState>
    </Card>
  );
}
