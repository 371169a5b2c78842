import { Alert, Button, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { SECRET_BLOCK_STYLE as BLOCK, SecretBlock } from '../../components/SecretBlock';
import { formatDateTime } from '../../lib/time';

export interface ShownSecret {
  kind: 'created' | 'rotated';
  name: string;
  secret: string;
  /** After a rotation: until when the old secret still works (null: it stopped at once). */
  oldValidUntil: string | null;
}

/** A new secret, shown this once. The parent drops it from its state on close, and the modal
 *  does not stay mounted hidden, so the secret leaves the page with it. */
export function ApiKeySecretModal({ shown, onClose }: { shown: ShownSecret; onClose: () => void }) {
  const { t } = useTranslation();
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
      <SecretBlock secret={shown.secret} testId="api-key-secret" />
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
