import { Form, Input, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useClaims } from '../auth/useSession';
import { fieldRules } from '../lib/formRules';
import type { SavedView } from '../queries/search';

export interface ViewFormValues {
  name: string;
  visibility: SavedView['visibility'];
}

/** A view's name and who sees it, for "save as" and "rename and share". Sharing with everyone
 * is for supervisors and admins, with one's department for members of one (the server's rule).
 * Mounted while in use, so each opening starts from `initial`. */
export function ViewFormModal({
  title,
  initial,
  busy,
  onSubmit,
  onClose,
}: {
  title: string;
  initial: ViewFormValues;
  busy: boolean;
  onSubmit: (values: ViewFormValues) => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const claims = useClaims();
  const [form] = Form.useForm<ViewFormValues>();
  const mayShareWithEveryone = claims.role === 'admin' || claims.role === 'supervisor';
  const options = (['private', 'department', 'everyone'] as const).map((v) => ({
    value: v,
    label: t(`views.visibilities.${v}`),
    disabled: (v === 'everyone' && !mayShareWithEveryone) || (v === 'department' && claims.departmentId === null),
    title:
      v === 'everyone' && !mayShareWithEveryone
        ? t('views.everyoneOnly')
        : v === 'department' && claims.departmentId === null
          ? t('views.noDepartment')
          : undefined,
  }));
  // A form with errors shows them and stays open; onSubmit reports its own failures.
  const submit = () => form.validateFields().then(onSubmit, () => undefined);
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => void submit()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'view-save-ok' } as Record<string, string>}>
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="name" label={t('views.name')} rules={fieldRules(t, 'SavedViewIn', 'name')}>
          <Input data-testid="view-name" />
        </Form.Item>
        <Form.Item name="visibility" label={t('views.visibility')}>
          <Select options={options} data-testid="view-visibility" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
