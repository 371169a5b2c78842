import { App, Button, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { changeRequestStatusValues as statusValues } from '../../api/schema.gen';
import { ChangeRequestChange } from '../../components/ChangeRequestChange';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { useApproveChangeRequest, useChangeRequests, useRejectChangeRequest } from '../../queries/changeRequests';
import { useUserName } from '../../queries/users';

type Request = Schemas['ChangeRequestOut'];
type Status = Schemas['ChangeRequestStatus'];
const COLORS: Record<Status, string> = { pending: 'orange', approved: 'green', rejected: 'red', withdrawn: 'default' };

/** Key-field edits of non-admins waiting for approval; rejecting takes a reason. */
export default function ChangeRequestsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const userName = useUserName();
  const [status, setStatus] = useState<Status | undefined>('pending');
  const requests = useChangeRequests(status);
  const approve = useApproveChangeRequest();
  const reject = useRejectChangeRequest();
  const [rejecting, setRejecting] = useState<Request | null>(null);
  const [reason, setReason] = useState('');
  const fail = (error: unknown) => void message.error(problemMessage(t, error));
  return (
    <PageCard
      title={t('changeRequest.title')}
      actions={
        <Select
          allowClear
          style={{ width: 160 }}
          value={status}
          onChange={setStatus}
          placeholder={t('changeRequest.status')}
          options={statusValues.map((s) => ({ value: s, label: t(`changeRequest.statuses.${s}`) }))}
        />
      }>
      <QueryState query={requests}>
        {(page) => (
          <Table<Request>
            rowKey="id"
            size="small"
            dataSource={page.items}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('changeRequest.empty') }}
            columns={[
              {
                key: 'customer',
                title: t('changeRequest.customer'),
                render: (_, r) => <Link to={`/customers/${r.customer_id}`}>{r.customer_name}</Link>,
              },
              { key: 'field', title: t('changeRequest.field'), render: (_, r) => t(`customer.fields.${r.field}`) },
              { key: 'change', title: t('customer.history.change'), render: (_, r) => <ChangeRequestChange request={r} /> },
              { key: 'by', title: t('changeRequest.requestedBy'), render: (_, r) => userName(r.requested_by) },
              { key: 'at', title: t('changeRequest.at'), render: (_, r) => formatDateTime(r.created_at) },
              {
                key: 'status',
                title: t('changeRequest.status'),
                render: (_, r) => (
                  <Space orientation="vertical" size={0}>
                    <Tag color={COLORS[r.status]}>{t(`changeRequest.statuses.${r.status}`)}</Tag>
                    {r.decision_reason && <span>{r.decision_reason}</span>}
                  </Space>
                ),
              },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, r) =>
                  r.status === 'pending' && (
                    <Space>
                      <Popconfirm
                        title={t('changeRequest.approveConfirm')}
                        onConfirm={() =>
                          approve.mutate(r.id, {
                            onSuccess: () => void message.success(t('changeRequest.approved')),
                            onError: fail,
                          })
                        }>
                        <Button size="small" type="primary">
                          {t('changeRequest.approve')}
                        </Button>
                      </Popconfirm>
                      <Button
                        size="small"
                        danger
                        onClick={() => {
                          setReason('');
                          setRejecting(r);
                        }}>
                        {t('changeRequest.reject')}
                      </Button>
                    </Space>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      <Modal
        open={rejecting !== null}
        title={t('changeRequest.rejectReason')}
        onCancel={() => setRejecting(null)}
        okButtonProps={{ disabled: !reason.trim(), loading: reject.isPending }}
        onOk={() =>
          rejecting &&
          reject.mutate(
            { id: rejecting.id, reason: reason.trim() },
            {
              onSuccess: () => setRejecting(null),
              onError: fail,
            },
          )
        }>
        <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} data-testid="reject-reason" />
      </Modal>
    </PageCard>
  );
}
