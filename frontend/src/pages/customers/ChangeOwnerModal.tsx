import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { App, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { UserSelect } from '../../components/selects';
import { problemMessage } from '../../lib/problems';
import { customerKeys, updateCustomer, useCustomer } from '../../queries/customers';

interface Props {
  customerId: number;
  title: string;
  hint: string;
  /** What a saved change (200) says; a change sent for approval (202) says so itself. */
  saved: (ownerId: number) => string;
  /** Lists besides the customers' that the change empties a row from (the pool). */
  alsoRefresh?: QueryKey;
  onClose: () => void;
}

/** Give a customer another owner: PATCH owner_id with If-Match (the customer read for its
 *  version, from the cache when its page has it). An admin's change is made at once; an account
 *  manager's becomes a change request an admin approves. */
export function ChangeOwnerModal({ customerId, title, hint, saved, alsoRefresh, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const customer = useCustomer(customerId);
  const [ownerId, setOwnerId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!customer.data || ownerId == null) return;
    setBusy(true);
    try {
      const answer = await updateCustomer(customerId, customer.data.version, { owner_id: ownerId });
      if ('items' in answer) void message.info(t('changeRequest.submitted'));
      else void message.success(saved(ownerId));
      await Promise.all([
        client.invalidateQueries({ queryKey: customerKeys.all }),
        alsoRefresh && client.invalidateQueries({ queryKey: alsoRefresh }),
      ]);
      onClose();
    } catch (error) {
      void message.error(problemMessage(t, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => void submit()}
      okButtonProps={{ disabled: ownerId == null || !customer.data || ownerId === customer.data.owner_id, loading: busy }}
      destroyOnHidden>
      <UserSelect
        roles={['account_manager', 'admin']}
        style={{ width: '100%' }}
        value={ownerId ?? undefined}
        onChange={(v: number | undefined) => setOwnerId(v ?? null)}
        placeholder={t('customer.newOwner')}
        data-testid="new-owner-select"
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {hint}
      </Typography.Paragraph>
      {customer.isError && <Typography.Text type="danger">{problemMessage(t, customer.error)}</Typography.Text>}
    </Modal>
  );
}
