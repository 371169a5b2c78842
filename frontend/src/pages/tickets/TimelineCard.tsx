import { App, Button, Card, Form, Input, Modal, Radio, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { exceptionInKindValues } from '../../api/schema.gen';
import { useClaims } from '../../auth/useSession';
import { QueryState } from '../../components/QueryState';
import { EnumSelect, useEnumLabel } from '../../components/selects';
import { canCommentTicket, canWorkTicket } from '../../lib/permissions';
import { fieldRules } from '../../lib/formRules';
import { problemMessage } from '../../lib/problems';
import { formatDateTime } from '../../lib/time';
import { useCommentTicket, useRecordException, useResolveException, useTimeline } from '../../queries/tickets';
import { useUserName } from '../../queries/users';

type Ticket = Schemas['TicketOut'];
type Event = Schemas['TimelineEventOut'];

const COLORS: Record<string, string> = {
  created: 'blue',
  transition: 'green',
  comment: 'gray',
  sla_warning: 'orange',
  sla_breach: 'red',
  escalation: 'red',
  exception: 'orange',
};

/** One timeline entry's headline in the user's language. */
function useDescribe() {
  const { t } = useTranslation();
  const enumLabel = useEnumLabel();
  const userName = useUserName();
  return (e: Event): string => {
    const d = e.data as Record<string, unknown>;
    const status = (v: unknown) => enumLabel('status', typeof v === 'string' ? v : null);
    switch (e.kind) {
      case 'created':
        return t('ticket.events.created', { priority: String(d.priority ?? '') });
      case 'assignment':
        return t(d.auto ? 'ticket.events.autoAssignment' : 'ticket.events.assignment', {
          to: userName(typeof d.to === 'number' ? d.to : null),
        });
      case 'transition':
        return t('ticket.events.transition', { from: status(d.from), to: status(d.to) });
      case 'priority':
        return t('ticket.events.priority', { from: String(d.from), to: String(d.to) });
      case 'collaborators':
        return t('ticket.events.collaborators');
      case 'comment':
        return `${t('ticket.events.comment')} · ${enumLabel('visibility', e.visibility)}`;
      case 'attachment':
        return t('ticket.events.attachment', { filename: String(d.filename ?? '') });
      case 'exception':
        return t('ticket.events.exception', { kind: enumLabel('exception_kind', String(d.exception_kind ?? '')) });
      case 'sla_warning':
      case 'sla_breach':
      case 'escalation':
      case 'update_reminder':
        return t(`ticket.events.${e.kind}`);
      default:
        return t('ticket.events.other', { kind: e.kind });
    }
  };
}

export function TimelineCard({ ticket }: { ticket: Ticket }) {
  const { t } = useTranslation();
  const claims = useClaims();
  const timeline = useTimeline(ticket.id);
  const describe = useDescribe();
  const userName = useUserName();
  const [recording, setRecording] = useState(false);
  const workable = canWorkTicket(claims, ticket);
  return (
    <Card
      title={t('ticket.timeline')}
      extra={
        workable && (
          <Button size="small" onClick={() => setRecording(true)}>
            {t('ticket.exception.record')}
          </Button>
        )
      }>
      <QueryState query={timeline}>
        {(events) => (
          <Timeline
            data-testid="timeline"
            items={events.map((e) => ({
              key: e.id,
              color: COLORS[e.kind] ?? 'blue',
              content: (
                <div data-testid={`timeline-${e.kind}`}>
                  <Space wrap size={4}>
                    <Typography.Text strong>{describe(e)}</Typography.Text>
                    {e.kind === 'comment' && e.visibility === 'internal' && <Tag>{t('enums.visibility.internal')}</Tag>}
                  </Space>
                  <div>
                    <Typography.Text type="secondary">
                      {formatDateTime(e.at)} · {e.actor_id == null ? t('customer.history.system') : userName(e.actor_id)}
                    </Typography.Text>
                  </div>
                  {e.body && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{e.body}</Typography.Paragraph>}
                  {e.kind === 'exception' && <ExceptionState ticket={ticket} event={e} workable={workable} />}
                </div>
              ),
            }))}
          />
        )}
      </QueryState>
      {canCommentTicket(claims) && <CommentForm ticket={ticket} canReply={workable} />}
      {recording && <ExceptionModal ticket={ticket} onClose={() => setRecording(false)} />}
    </Card>
  );
}

function CommentForm({ ticket, canReply }: { ticket: Ticket; canReply: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const comment = useCommentTicket(ticket.id);
  const [form] = Form.useForm<Schemas['CommentIn']>();
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ visibility: 'internal' }}
      style={{ marginTop: 16 }}
      onFinish={(v) =>
        comment.mutate(v, {
          onSuccess: () => {
            form.resetFields(['body']);
            void message.success(t('ticket.commented'));
          },
          onError: (error) => void message.error(problemMessage(t, error)),
        })
      }>
      {/* The server takes a comment of spaces; an empty-looking entry on the timeline helps nobody. */}
      <Form.Item name="body" label={t('ticket.comment')} rules={fieldRules(t, 'CommentIn', 'body', { notBlank: true })}>
        <Input.TextArea rows={3} placeholder={t('ticket.commentPlaceholder')} data-testid="comment-body" />
      </Form.Item>
      <Space wrap>
        <Form.Item name="visibility" noStyle>
          <Radio.Group
            options={[
              { value: 'internal', label: t('enums.visibility.internal') },
              { value: 'public', label: t('enums.visibility.public'), disabled: !canReply },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={comment.isPending} data-testid="submit-comment">
          {t('common.add')}
        </Button>
      </Space>
    </Form>
  );
}

function ExceptionState({ ticket, event, workable }: { ticket: Ticket; event: Event; workable: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const resolve = useResolveException(ticket.id);
  const [handling, setHandling] = useState('');
  const d = event.data as { handling?: string | null; resolved?: boolean };
  if (d.resolved) {
    return (
      <div>
        <Tag color="green">{t('ticket.exception.resolved')}</Tag>
        {d.handling}
      </div>
    );
  }
  return (
    <Space wrap style={{ marginTop: 4 }}>
      <Tag color="orange">{t('ticket.exception.open')}</Tag>
      {workable && (
        <Space.Compact>
          <Input size="small" placeholder={t('ticket.exception.handling')} value={handling} onChange={(e) => setHandling(e.target.value)} />
          <Button
            size="small"
            disabled={!handling.trim()}
            loading={resolve.isPending}
            onClick={() =>
              resolve.mutate(
                { eventId: event.id, handling },
                {
                  onError: (error) => void message.error(problemMessage(t, error)),
                },
              )
            }>
            {t('ticket.exception.resolve')}
          </Button>
        </Space.Compact>
      )}
    </Space>
  );
}

function ExceptionModal({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const record = useRecordException(ticket.id);
  const [form] = Form.useForm<Schemas['ExceptionIn']>();
  return (
    <Modal
      open
      title={t('ticket.exception.record')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: record.isPending }}>
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) =>
          record.mutate(
            { ...v, handling: v.handling || null },
            {
              onSuccess: onClose,
              onError: (error) => void message.error(problemMessage(t, error)),
            },
          )
        }>
        <Form.Item name="kind" label={t('ticket.exception.kind')} rules={fieldRules(t, 'ExceptionIn', 'kind')}>
          <EnumSelect name="exception_kind" values={exceptionInKindValues} />
        </Form.Item>
        <Form.Item name="description" label={t('ticket.exception.description')} rules={fieldRules(t, 'ExceptionIn', 'description')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="handling" label={t('ticket.exception.handling')} rules={fieldRules(t, 'ExceptionIn', 'handling')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
