import { DeleteOutlined, EditOutlined, EyeOutlined, SaveOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, Space, Typography, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClaims } from '../auth/useSession';
import { problemMessage } from '../lib/problems';
import type { ParamSpec } from '../lib/urlState';
import { openView, useDeleteView, useSavedViews, useSaveView, useUpdateView, type SavedView } from '../queries/search';
import { ViewFormModal, type ViewFormValues } from './ViewFormModal';

type Resource = SavedView['resource'];
type Filters = Record<string, string | string[]>;

/** The current URL's filters of a list, as a saved view's `filters` (paging left out). */
export function filtersOf(spec: ParamSpec, search: URLSearchParams): Filters {
  const out: Filters = {};
  for (const [key, kind] of Object.entries(spec)) {
    if (key === 'sort') continue;
    const values = search.getAll(key).filter((v) => v !== '');
    if (values.length === 0) continue;
    out[key] = kind === 'many' ? values : (values[0] ?? '');
  }
  return out;
}

function normalized(filters: Filters): string {
  const entries = Object.entries(filters)
    .map(([k, v]) => [k, (Array.isArray(v) ? [...v] : [v]).filter((x) => x !== '').sort()] as const)
    .filter(([, v]) => v.length > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/** The same conditions and sort, whatever the order of names and values. */
export function sameQuery(a: { filters: Filters; sort: string | null }, b: { filters: Filters; sort: string | null }): boolean {
  return normalized(a.filters) === normalized(b.filters) && (a.sort || null) === (b.sort || null);
}

/** A list's views menu: open a built-in, own or shared view (its name then on the button while
 * the list shows its conditions), save the current filters as a view, rename, re-share or
 * delete one's own (an admin: anyone's). Built-ins cannot be changed. */
export function ViewsMenu({
  resource,
  spec,
  search,
  apply,
}: {
  resource: Resource;
  spec: ParamSpec;
  search: URLSearchParams;
  apply: (next: URLSearchParams) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const claims = useClaims();
  const views = useSavedViews(resource);
  const save = useSaveView();
  const update = useUpdateView();
  const remove = useDeleteView();
  const [editing, setEditing] = useState<SavedView | 'new' | null>(null);
  // The last view opened with the conditions that still held: it stays "open" even when some
  // of its conditions were dropped (a deleted tag), which its stored filters no longer match.
  const [opened, setOpened] = useState<{ view: SavedView; filters: Filters } | null>(null);

  const all = views.data ?? [];
  const sorts = 'sort' in spec;
  const here = { filters: filtersOf(spec, search), sort: sorts ? search.get('sort') : null };
  const current =
    all.find((v) => sameQuery(v, here)) ??
    (opened && sameQuery({ filters: opened.filters, sort: opened.view.sort }, here) ? opened.view : undefined);

  const open = async (key: string) => {
    const result = await openView(key);
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries(result.filters)) {
      for (const v of Array.isArray(value) ? value : [value]) next.append(name, v);
    }
    if (result.view.sort && sorts) next.set('sort', result.view.sort);
    setOpened({ view: result.view, filters: result.filters });
    apply(next);
    if (result.dropped.length > 0) {
      message.warning(t('views.dropped', { list: result.dropped.map((d) => `${d.name}=${d.value}`).join('，') }));
    }
  };
  const mayChange = (v: SavedView) => !v.builtin && (v.mine || claims.role === 'admin');
  const item = (v: SavedView) => ({
    key: v.key,
    label: (
      <Space size={6}>
        <span data-testid={`view-${v.key}`}>{v.name}</span>
        {!v.builtin && v.visibility !== 'private' && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`views.visibilities.${v.visibility}`)}
          </Typography.Text>
        )}
      </Space>
    ),
    onClick: () => void open(v.key).catch((error: unknown) => message.error(problemMessage(t, error))),
    extra: mayChange(v) ? (
      <Space size={10}>
        <EditOutlined
          aria-label={t('views.edit')}
          data-testid={`view-edit-${v.key}`}
          onClick={(e) => {
            e.stopPropagation();
            setEditing(v);
          }}
        />
        <DeleteOutlined
          aria-label={t('views.delete')}
          data-testid={`view-delete-${v.key}`}
          onClick={(e) => {
            e.stopPropagation();
            remove.mutateAsync(v.id as number).then(
              () => message.success(t('views.deleted')),
              (error: unknown) => message.error(problemMessage(t, error)),
            );
          }}
        />
      </Space>
    ) : undefined,
  });
  const group = (label: string, members: SavedView[]) =>
    members.length ? [{ type: 'group' as const, label, children: members.map(item) }] : [];
  const items: MenuProps['items'] = [
    ...group(
      t('views.builtin'),
      all.filter((v) => v.builtin),
    ),
    ...group(
      t('views.mine'),
      all.filter((v) => v.mine),
    ),
    ...group(
      t('views.shared'),
      all.filter((v) => !v.builtin && !v.mine),
    ),
  ];

  const submit = async (values: ViewFormValues) => {
    try {
      if (editing === 'new') {
        await save.mutateAsync({
          name: values.name,
          resource,
          visibility: values.visibility,
          filters: here.filters,
          sort: here.sort || null,
          columns: [],
        });
        message.success(t('views.saved'));
      } else if (editing) {
        await update.mutateAsync({
          id: editing.id as number,
          version: editing.version ?? 0,
          body: { name: values.name, visibility: values.visibility },
        });
        message.success(t('views.updated'));
      }
      setEditing(null);
    } catch (error) {
      message.error(problemMessage(t, error));
    }
  };

  return (
    <>
      <Dropdown menu={{ items, selectedKeys: current ? [current.key] : [] }} trigger={['click']}>
        <Button icon={<EyeOutlined />} data-testid="views-menu" style={{ maxWidth: 220 }}>
          <Typography.Text ellipsis style={{ maxWidth: 170, color: 'inherit' }}>
            {current?.name ?? t('views.menu')}
          </Typography.Text>
        </Button>
      </Dropdown>
      <Button icon={<SaveOutlined />} onClick={() => setEditing('new')} data-testid="view-save-as">
        {t('views.saveAs')}
      </Button>
      {editing && (
        <ViewFormModal
          busy={save.isPending || update.isPending}
          onClose={() => setEditing(null)}
          onSubmit={submit}
          title={editing === 'new' ? t('views.saveAs') : t('views.editTitle', { name: editing.name })}
          initial={editing === 'new' ? { name: '', visibility: 'private' } : { name: editing.name, visibility: editing.visibility }}
        />
      )}
    </>
  );
}
