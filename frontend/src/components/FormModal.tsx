import { Alert, App, Form, Modal, type FormInstance } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { clearChangedErrors } from '../lib/formRules';
import { formProblem } from '../lib/problems';

interface Props<T> {
  title: string;
  initialValues?: Partial<T>;
  /** The form's field names: the server's errors on them show next to them. */
  fields: readonly string[];
  label?: (field: string) => string;
  /** Fields whose whole list is one input (a tags select): an error on an entry goes next to it. */
  lists?: readonly string[];
  onSubmit: (values: T) => Promise<unknown>;
  onClose: () => void;
  children: ReactNode | ((form: FormInstance<T>) => ReactNode);
}

/** A modal form that saves through the API and shows the server's field errors in place, each
 *  until its field is changed. */
export function FormModal<T extends object>({ title, initialValues, fields, label, lists = [], onSubmit, onClose, children }: Props<T>) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<T>();
  const [busy, setBusy] = useState(false);
  const [general, setGeneral] = useState<string[]>([]);
  const submit = async (values: T) => {
    setBusy(true);
    setGeneral([]);
    try {
      await onSubmit(values);
      void message.success(t('common.saved'));
      onClose();
    } catch (error) {
      const sent = values as Record<string, unknown>;
      const problem = formProblem(
        t,
        error,
        fields,
        label,
        Object.fromEntries(lists.map((name) => [name, Array.isArray(sent[name]) ? (sent[name] as unknown[]) : null])),
      );
      form.setFields(problem.fields as Parameters<typeof form.setFields>[0]);
      setGeneral(problem.general);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={title} onCancel={onClose} onOk={() => form.submit()} okButtonProps={{ loading: busy }} destroyOnHidden>
      {general.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 12 }} title={general.join('; ')} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={(v) => void submit(v)}
        onValuesChange={(changed: object) => clearChangedErrors(form, changed)}>
        {typeof children === 'function' ? children(form) : children}
      </Form>
    </Modal>
  );
}
