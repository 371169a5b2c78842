import { Alert, Button, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { SecretBlock } from '../../components/SecretBlock';
import type { ShownWebhookSecret } from './WebhookFormModal';

/** A new subscription's signing secret, shown this once, and how to check a request with it. As
 *  for API keys, the modal is not kept mounted hidden: the secret leaves the page on close. */
export function WebhookSecretModal({ shown, onClose }: { shown: ShownWebhookSecret; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open
      title={t('webhooks.secret.title')}
      onCancel={onClose}
      maskClosable={false}
      keyboard={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="close-secret">
          {t('webhooks.secret.close')}
        </Button>
      }>
      <Typography.Paragraph strong style={{ wordBreak: 'break-all' }}>
        {shown.url}
      </Typography.Paragraph>
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        title={t('webhooks.secret.warning')}
        description={t('webhooks.secret.warningDetail')}
      />
      <SecretBlock secret={shown.secret} testId="webhook-secret" />
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }} data-testid="signature-help">
        {t('webhooks.secret.verify')}
      </Typography.Paragraph>
    </Modal>
  );
}
