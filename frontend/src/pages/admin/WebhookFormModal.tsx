import { Checkbox, Flex, Form, Input, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { FormModal } from '../../components/FormModal';
import { fieldRules } from '../../lib/formRules';
import { EVENT_GROUPS, eventLabel } from '../../lib/webhooks';
import { useCreateWebhook, useUpdateWebhook } from '../../queries/webhooks';

type Webhook = Schemas['WebhookOut'];
type EventType = Webhook['event_types'][number];

interface Values {
  url: string;
  event_types: EventType[];
  active?: boolean;
}

export interface ShownWebhookSecret {
  url: string;
  secret: string;
}

const FIELDS = ['url', 'event_types', 'active'];
const LABELS: Record<string, string> = { url: 'webhooks.url', event_types: 'webhooks.eventTypes', active: 'webhooks.status' };

/** Subscribe a URL to events (`editing` null), or change a subscription's URL and events. On
 *  create the parent shows the signing secret. */
export function WebhookFormModal({
  editing,
  onCreated,
  onClose,
}: {
  editing: Webhook | null;
  onCreated: (shown: ShownWebhookSecret) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const label = (field: string) => String(t((LABELS[field] ?? field) as 'webhooks.url'));
  const schema = editing ? 'WebhookPatch' : 'WebhookCreate';

  const submit = async (v: Values) => {
    // In the order of the groups, not of the clicks, so the list reads the same everywhere.
    const chosen = EVENT_GROUPS.flatMap((g) => g.events).filter((e) => v.event_types.includes(e));
    if (editing) {
      await update.mutateAsync({ id: editing.id, body: { url: v.url, event_types: chosen } });
      return;
    }
    const out = await create.mutateAsync({ url: v.url, event_types: chosen, active: v.active ?? true });
    create.reset();
    onCreated({ url: out.webhook.url, secret: out.secret });
  };

  return (
    <FormModal<Values>
      title={editing ? t('webhooks.editTitle') : t('webhooks.new')}
      fields={FIELDS}
      label={label}
      onClose={onClose}
      initialValues={editing ? { url: editing.url, event_types: editing.event_types } : { event_types: [], active: true }}
      onSubmit={submit}>
      <Form.Item
        name="url"
        label={label('url')}
        extra={t('webhooks.form.urlHelp')}
        rules={fieldRules(t, schema, 'url', { notBlank: true })}>
        <Input placeholder={t('webhooks.form.urlPlaceholder')} inputMode="url" data-testid="webhook-url" />
      </Form.Item>
      <Form.Item
        name="event_types"
        label={label('event_types')}
        extra={t('webhooks.form.eventsHelp')}
        validateFirst
        rules={fieldRules(t, schema, 'event_types', { required: true })}>
        <Checkbox.Group style={{ display: 'block' }} data-testid="webhook-events">
          <Flex vertical gap={8}>
            {EVENT_GROUPS.map((group) => (
              <div key={group.key}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`webhooks.eventGroups.${group.key}`)}
                </Typography.Text>
                <Flex wrap gap="4px 16px">
                  {group.events.map((event) => (
                    <Checkbox key={event} value={event}>
                      {eventLabel(t, event)}
                    </Checkbox>
                  ))}
                </Flex>
              </div>
            ))}
          </Flex>
        </Checkbox.Group>
      </Form.Item>
      {!editing && (
        <Form.Item name="active" label={t('webhooks.form.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      )}
    </FormModal>
  );
}
