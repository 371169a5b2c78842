import { MergeCellsOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, ColorPicker, Form, Input, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { FormModal } from '../../components/FormModal';
import { PageCard } from '../../components/PageCard';
import { QueryState } from '../../components/QueryState';
import { RowActions } from '../../components/RowActions';
import { fieldRules } from '../../lib/formRules';
import { useCreateTag, useDeleteTag, useMergeTag, useTags, useUpdateTag } from '../../queries/tags';

type TagOut = Schemas['TagOut'];
const FIELDS = ['name', 'color', 'into_tag_id'];

export default function TagsPage() {
  const { t } = useTranslation();
  const [unused, setUnused] = useState(false);
  const tags = useTags(unused);
  const all = useTags();
  const create = useCreateTag();
  const update = useUpdateTag();
  const remove = useDeleteTag();
  const merge = useMergeTag();
  const [editing, setEditing] = useState<TagOut | 'new' | null>(null);
  const [merging, setMerging] = useState<TagOut | null>(null);
  const label = (f: string) => t(`admin.tags.${f === 'into_tag_id' ? 'mergeInto' : f}` as 'admin.tags.name');
  const color = (v: unknown) => (typeof v === 'string' ? v : ((v as { toHexString?: () => string } | null)?.toHexString?.() ?? null));
  return (
    <PageCard
      title={t('admin.tags.title')}
      actions={
        <>
          <Space>
            <Switch checked={unused} onChange={setUnused} data-testid="unused-only" />
            {t('admin.tags.unusedOnly')}
          </Space>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('admin.tags.new')}
          </Button>
        </>
      }>
      <QueryState query={tags}>
        {(rows) => (
          <Table<TagOut>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { key: 'name', title: t('admin.tags.name'), render: (_, x) => <Tag color={x.color ?? undefined}>{x.name}</Tag> },
              { key: 'category', title: t('admin.tags.category'), render: (_, x) => x.category ?? '—' },
              { key: 'count', title: t('admin.tags.count'), dataIndex: 'customer_count' },
              {
                key: 'actions',
                title: t('common.actions'),
                render: (_, x) => (
                  <RowActions
                    onEdit={() => setEditing(x)}
                    onDelete={() => remove.mutateAsync({ id: x.id, version: x.version })}
                    extra={
                      <Button size="small" icon={<MergeCellsOutlined />} onClick={() => setMerging(x)}>
                        {t('admin.tags.merge')}
                      </Button>
                    }
                  />
                ),
              },
            ]}
          />
        )}
      </QueryState>
      {editing && (
        <FormModal<{ name: string; color?: unknown }>
          title={editing === 'new' ? t('admin.tags.new') : editing.name}
          fields={FIELDS}
          label={label}
          onClose={() => setEditing(null)}
          initialValues={editing === 'new' ? {} : { name: editing.name, color: editing.color }}
          onSubmit={({ name, color: c }) =>
            editing === 'new'
              ? create.mutateAsync({ name, color: color(c) })
              : update.mutateAsync({ id: editing.id, version: editing.version, body: { name, color: color(c) } })
          }>
          <Form.Item name="name" label={label('name')} rules={fieldRules(t, 'TagCreate', 'name')}>
            <Input placeholder="区域-华东" />
          </Form.Item>
          <Form.Item name="color" label={label('color')}>
            <ColorPicker format="hex" allowClear />
          </Form.Item>
        </FormModal>
      )}
      {merging && (
        <FormModal<{ into_tag_id: number }>
          title={`${t('admin.tags.merge')} ${merging.name}`}
          fields={FIELDS}
          label={label}
          onClose={() => setMerging(null)}
          onSubmit={({ into_tag_id }) => merge.mutateAsync({ id: merging.id, into: into_tag_id })}>
          <Form.Item name="into_tag_id" label={label('into_tag_id')} rules={fieldRules(t, 'TagMergeIn', 'into_tag_id')}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={(all.data ?? []).filter((x) => x.id !== merging.id).map((x) => ({ value: x.id, label: x.name }))}
            />
          </Form.Item>
        </FormModal>
      )}
    </PageCard>
  );
}
