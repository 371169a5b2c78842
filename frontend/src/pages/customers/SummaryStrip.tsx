import { CheckSquareOutlined, CustomerServiceOutlined, FundOutlined, MailOutlined, MessageOutlined, SwapOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Flex, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Schemas } from '../../api/client';
import { useClaims } from '../../auth/useSession';
import { CallLink } from '../../components/CallLink';
import { useEnumLabel } from '../../components/selects';
import { formatMoney, fromNow } from '../../lib/format';
import { canCreateTicket, canEditCustomer, canSeeSales, canTransferCustomers, canWriteTasks } from '../../lib/permissions';
import { formatDateTime } from '../../lib/time';
import { NEW_PARAM } from '../../lib/useNewParam';
import { useCustomerSummary } from '../../queries/customers';
import { useUserName } from '../../queries/users';
import { ChangeOwnerModal } from './ChangeOwnerModal';

type Customer = Schemas['CustomerOut'];
export type Summary = Schemas['CustomerSummaryOut'];

/** "N 天后将被收回公海" for an owned customer near its release (null otherwise). */
export function PoolWarning({ summary }: { summary: Summary | undefined }) {
  const { t } = useTranslation();
  if (!summary?.pool_warning || summary.pool_days_left == null) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="pool-warning"
      style={{ marginTop: 12 }}
      title={summary.pool_days_left > 0 ? t('pool.warning', { n: summary.pool_days_left }) : t('pool.warningToday')}
      description={t('pool.warningHint')}
    />
  );
}

/**
 * The top of the customer page: how to reach them (tap to call / mail), who owns them, where
 * they stand, what is open, and the actions people take from here most.
 */
export function SummaryStrip({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const navigate = useNavigate();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  const summary = useCustomerSummary(customer.id).data;
  const primary = customer.primary_contact;
  const phone = primary?.mobile ?? primary?.phone;
  const sales = canSeeSales(claims);
  const editable = canEditCustomer(claims, customer) && !customer.archived;
  const [transferring, setTransferring] = useState(false);
  const tab = (key: string) => () => void navigate(`/customers/${customer.id}?tab=${key}`, { replace: true });
  // A quick action opens the tab's creation form (`new=1`, which the tab honours and drops).
  const create = (key: string) => () => void navigate(`/customers/${customer.id}?tab=${key}&${NEW_PARAM}=1`, { replace: true });

  return (
    <div data-testid="summary-strip" style={{ marginTop: 12 }}>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 4 }}
        items={[
          {
            key: 'contact',
            label: t('summary.contact'),
            children: primary ? (
              <Space wrap size={4}>
                <span>{primary.name}</span>
                {phone && <CallLink phone={phone} testId="call-primary" />}
                {primary.email && (
                  <a href={`mailto:${primary.email}`}>
                    <MailOutlined /> {primary.email}
                  </a>
                )}
              </Space>
            ) : (
              t('summary.noContact')
            ),
          },
          {
            key: 'owner',
            label: t('customer.fields.owner_id'),
            children: customer.owner_id == null ? <Tag color="orange">{t('pool.inPool')}</Tag> : userName(customer.owner_id),
          },
          {
            key: 'stage',
            label: t('customer.fields.stage'),
            children: (
              <Space size={4} wrap>
                <Tag color="blue">{enumLabel('stage', customer.stage)}</Tag>
                {customer.grade && <Tag color="gold">{customer.grade}</Tag>}
                {sales && customer.value_level && <Tag>{t(`value.levels.${customer.value_level}`)}</Tag>}
              </Space>
            ),
          },
          {
            key: 'last',
            label: t('summary.lastContact'),
            children: (
              <Tooltip title={formatDateTime(customer.last_contact_at)}>
                <span>{fromNow(customer.last_contact_at)}</span>
              </Tooltip>
            ),
          },
          { key: 'next', label: t('summary.nextFollowUp'), children: customer.next_follow_up_on ?? '—' },
          {
            key: 'tickets',
            label: t('summary.openTickets'),
            children: (
              <Typography.Link onClick={tab('tickets')} data-testid="summary-open-tickets">
                {summary?.open_tickets ?? '—'}
              </Typography.Link>
            ),
          },
          ...(sales
            ? [
                {
                  key: 'opps',
                  label: t('summary.openOpportunities'),
                  children: (
                    <Typography.Link onClick={tab('opportunities')} data-testid="summary-open-opportunities">
                      {summary
                        ? t('summary.opportunitiesAmount', {
                            n: summary.open_opportunities ?? 0,
                            amount: formatMoney(summary.open_opportunity_amount ?? '0'),
                          })
                        : '—'}
                    </Typography.Link>
                  ),
                },
              ]
            : []),
          {
            key: 'tasks',
            label: t('summary.openTasks'),
            children: <Typography.Link onClick={tab('tasks')}>{summary?.open_tasks ?? '—'}</Typography.Link>,
          },
        ]}
      />
      <PoolWarning summary={summary} />
      <Flex wrap gap={8} style={{ marginTop: 12 }} data-testid="quick-actions">
        {editable && (
          <Button icon={<MessageOutlined />} onClick={create('follow-ups')} data-testid="quick-follow-up">
            {t('summary.logFollowUp')}
          </Button>
        )}
        {canCreateTicket(claims) && !customer.archived && (
          <Link to={`/tickets/new?customer_id=${customer.id}`}>
            <Button icon={<CustomerServiceOutlined />}>{t('summary.newTicket')}</Button>
          </Link>
        )}
        {editable && sales && (
          <Button icon={<FundOutlined />} onClick={create('opportunities')} data-testid="quick-opportunity">
            {t('summary.newOpportunity')}
          </Button>
        )}
        {canWriteTasks(claims) && editable && (
          <Button icon={<CheckSquareOutlined />} onClick={create('tasks')} data-testid="quick-task">
            {t('summary.addTask')}
          </Button>
        )}
        {editable && canTransferCustomers(claims) && (
          <Button icon={<SwapOutlined />} onClick={() => setTransferring(true)} data-testid="transfer-owner">
            {t('summary.transfer')}
          </Button>
        )}
      </Flex>
      {transferring && (
        <ChangeOwnerModal
          customerId={customer.id}
          title={t('summary.transfer')}
          hint={t('customer.bulkOwnerHint')}
          saved={() => t('summary.transferred')}
          onClose={() => setTransferring(false)}
        />
      )}
    </div>
  );
}
