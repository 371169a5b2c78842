import { DeleteOutlined, EyeOutlined, SaveOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Form, Input, Modal, Select, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ParamSpec } from '../lib/urlState';
import { openView, useDeleteView, useSavedViews, useSaveView, type SavedView } from '../queries/search';

type Resource = SavedView['resource'];

/** The current URL's filters of a list, as a saved view's `filters` (paging left out). */
export function filtersOf(spec: ParamSpec, search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, kind] of Object.entries(spec)) {
    if (key === 'sort') continue;
    const values = search.getAll(key).filter((v) => v !== '');
    if (values.length === 0) continue;
    out[key] = kind === 'many' ? values : values[0] ?? '';
  }
  return out;
}

/** A list's views menu: open a built-in, own or shared view, save the current filters as a
 * view (private, the department's or everyone's), delete one's own. */
export function ViewsMenu({ resource, spec, search, apply }: {
  resource: Resource; spec: ParamSpec; search: URLSearchParams; apply: (next: URLSearchParams) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const views = useSavedViews(resource);
  const save = useSaveView();
  const remove = useDeleteView();
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ name: string; visibility: SavedView['visibility'] }>();

  const open = async (key: string) => {
    const opened = await openView(key);
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries(opened.filters)) {
      for (const v of Array.isArray(value) ? value : [value]) next.append(name, v);
    }
    if (opened.view.sort) next.set('sort', opened.view.sort);
    apply(next);
    if (opened.dropped.length > 0) {
      message.warning(t('views.dropped', { list: opened.dropped.map((d) => `${d.name}=${d.value}`).join('，') }));
    }
  };
  const all = views.data ?? [];
  const item = (v: SavedView) => ({ key: v.key, label: <span data-testid={`view-${v.key}`}>{v.name}</span>, onClick: () => void open(v.key) });
  const items: MenuProps['items'] = [
    { type: 'group', label: t('views.builtin'), children: all.filter((v) => v.builtin).map(item) },
    ...(all.some((v) => v.mine) ? [{ type: 'group' as const, label: t('views.mine'), children: all.filter((v) => v.mine).map((v) => ({
      ...item(v),
      extra: <DeleteOutlined aria-label={t('views.delete')} onClick={(e) => {
        e.stopPropagation();
        void remove.mutateAsync(v.id as number).then(() => message.success(t('views.deleted')));
      }} />,
    })) }] : []),
    ...(all.some((v) => !v.builtin && !v.mine) ? [{ type: 'group' as const, label: t('views.shared'), children: all.filter((v) => !v.builtin && !v.mine).map(item) }] : []),
  ];

  const submit = async () => {
    const values = await form.validateFields();
    const sort = search.get('sort');
    await save.mutateAsync({ name: values.name, resource, visibility: values.visibility,
      filters: filtersOf(spec, search), sort: sort || null, columns: [] });
    message.success(t('views.saved'));
    setSaving(false);
    form.resetFields();
  };

  return (
    <>
      <Dropdown menu={{ items }} trigger={['click']}>
        <Button icon={<EyeOutlined />} data-testid="views-menu">{t('views.menu')}</Button>
      </Dropdown>
      <Button icon={<SaveOutlined />} onClick={() => setSaving(true)} data-testid="view-save-as">{t('views.saveAs')}</Button>
      <Modal open={saving} title={t('views.saveAs')} onCancel={() => setSaving(false)} onOk={() => void submit()}
        confirmLoading={save.isPending} okButtonProps={{ 'data-testid': 'view-save-ok' } as Record<string, string>}>
        <Form form={form} layout="vertical" initialValues={{ visibility: 'private' }}>
          <Form.Item name="name" label={t('views.name')} rules={[{ required: true, max: 50 }]}>
            <Input data-testid="view-name" maxLength={50} />
          </Form.Item>
          <Form.Item name="visibility" label={t('views.visibility')}>
            <Select options={(['private', 'department', 'everyone'] as const).map((v) => ({ value: v, label: t(`views.visibilities.${v}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
