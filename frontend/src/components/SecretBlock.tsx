import { CopyOutlined } from '@ant-design/icons';
import { App, Button } from 'antd';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';

export const SECRET_BLOCK_STYLE = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  background: '#fafafa',
  border: '1px solid #f0f0f0',
  borderRadius: 6,
  padding: '8px 12px',
  margin: 0,
  whiteSpace: 'pre-wrap',
  wordBreak: 'break-all',
} as const;

/** A secret in a box with a copy button (API keys, webhooks' signing secrets). */
export function SecretBlock({ secret, testId }: { secret: string; testId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const box = useRef<HTMLPreElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
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
  return (
    <>
      <pre ref={box} style={SECRET_BLOCK_STYLE} data-testid={testId}>
        {secret}
      </pre>
      <Button icon={<CopyOutlined />} onClick={() => void copy()} style={{ marginTop: 8 }} data-testid="copy-secret">
        {t('apiKeys.secret.copy')}
      </Button>
    </>
  );
}
