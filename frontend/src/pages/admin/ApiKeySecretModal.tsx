import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Typography } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../lib/time';

export interface ShownSecret {
  kind: 'created' | 'rotated';
  name: string;
  secret: string;
  /** After a rotation: until when the old secret still works (null: it stopped at once). */
  oldValidUntil: string | null;
}

const BLOCK = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  background: '#fafafa',
  border: '1px solid #f0f0f0',
  borderRadius: 6,
  padding: '8px 12px',
  margin: 0,
  whiteSpace: 'pre-wrap',
  wordBreak: 'break-all',
} as const;

/** A new secret, shown this once. The parent drops it from its state on close, and the modal
 *  does not stay mounted hidden, so the secret leaves the page with it. */
export function ApiKeySecretModal({ shown, onClose }: { shown: ShownSecret; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const box = useRef<HTMLPreElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(shown.secret);
      void message.success(t('apiKeys.secret.copied'));
    } catch {
      // No clipboard API (a page served over plain HTTP) or no permission: select the secret so
      // that one key press copies it, and try the old way once.
      const selection = window.getSelection();
      if (box.current && selection) selection.selectAllChildren(box.current);
      let copied = false;
      try {
        copied = document.execCommand('copy');
      } catch {
        /* not supported */
      }
      if (copied) void message.success(t('apiKeys.secret.copied'));
      else void message.warning(t('apiKeys.secret.copyFailed'));
    }
  };
  const origin = globalThis.location?.origin ?? '';
  return (
    <Modal
      open
      title={t(shown.kind === 'created' ? 'apiKeys.secret.createdTitle' : 'apiKeys.secret.rotatedTitle')}
      onCancel={onClose}
      maskClosable={false}
      keyboard={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="close-secret">
          {t('apiKeys.secret.close')}
        </Button>
      }>
      <Typography.Paragraph strong>{shown.name}</Typography.Paragraph>
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        title={t('apiKeys.secret.warning')}
        description={t('apiKeys.secret.warningDetail')}
      />
      <pre ref={box} style={BLOCK} data-testid="api-key-secret">
        {shown.secret}
      </pre>
      <Button icon={<CopyOutlined />} onClick={() => void copy()} style={{ marginTop: 8 }} data-testid="copy-secret">
        {t('apiKeys.secret.copy')}
      </Button>
      {shown.kind === 'rotated' && shown.oldValidUntil && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('apiKeys.secret.oldValidUntil', { time: formatDateTime(shown.oldValidUntil) })}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph style={{ marginTop: 16, marginBottom: 8 }}>{t('apiKeys.secret.usage')}</Typography.Paragraph>
      <pre style={BLOCK}>{`curl -H "X-API-Key: ${t('apiKeys.secret.placeholder')}" ${origin}/api/v1/customers`}</pre>
    </Modal>
  );
}
