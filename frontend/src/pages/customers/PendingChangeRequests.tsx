import { Alert, App, Button, Flex, Popconfirm, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useClaims } from '../../auth/useSession';
import { ChangeRequestChange } from '../../components/ChangeRequestChange';
import { canDecideChangeRequests } from '../../lib/permissions';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { usePendingChangeRequests, useWithdrawChangeRequest } from '../../queries/changeRequests';
import { useUserName } from '../../queries/users';

/**
 * Key-field changes of this customer waiting for an admin: the requester can withdraw their
 * own (a mistake would otherwise block the field until an admin rejects it); admins get a
 * link to the approvals page.
 */
export function PendingChangeRequests({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const claims = useClaims();
  const userName = useUserName();
  const pending = usePendingChangeRequests(customerId);
  const withdraw = useWithdrawChangeRequest();
  const items = pending.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Alert
      style={{ marginTop: 12 }}
      type="warning"
      data-testid="pending-change-requests"
      title={t('changeRequest.pendingOnCustomer')}
      action={canDecideChangeRequests(claims) && <Link to="/admin/change-requests">{t('changeRequest.goApprove')}</Link>}
      description={items.map((r) => (
        <Flex key={r.id} wrap gap={8} align="center">
          <span>
            {t(`customer.fields.${r.field}`)}: <ChangeRequestChange request={r} />
          </span>
          <Typography.Text type="secondary">
            {userName(r.requested_by)} · {formatDateTime(r.created_at)}
          </Typography.Text>
          {r.requested_by === claims.userId && (
            <Popconfirm
              title={t('changeRequest.withdrawConfirm')}
              onConfirm={() =>
                withdraw.mutate(r.id, {
                  onSuccess: () => void message.success(t('changeRequest.withdrawn')),
                  onError: (error) => void message.error(problemMessage(t, error)),
                })
              }>
              <Button size="small" data-testid={`withdraw-${r.id}`}>
                {t('changeRequest.withdraw')}
              </Button>
            </Popconfirm>
          )}
        </Flex>
      ))}
    />
  );
}
