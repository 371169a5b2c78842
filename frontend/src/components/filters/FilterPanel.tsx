import { FilterOutlined } from '@ant-design/icons';
import { Badge, Button, Drawer, Flex, Form, Grid, Typography } from 'antd';
import { Fragment, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** One filter of a list: its control in the bar (label as placeholder) or in the drawer
 * (label above, whole width); `active` when the URL sets it. */
export interface FilterField {
  key: string;
  label: string;
  active: boolean;
  render: (inDrawer: boolean) => ReactNode;
  /** A heading in the drawer above the first field of a group (custom fields). */
  group?: string;
}

/**
 * A list's filters. On a wide screen the most used ones stay in the bar and the rest open in
 * a "more filters" drawer; on a phone the whole panel is the drawer, behind one button.
 * Filters apply as they change (the URL is the state), so the drawer has no "apply".
 */
export function FilterPanel({
  bar,
  more,
  tools,
  phoneTools,
  footer,
  onClearAll,
}: {
  bar: FilterField[];
  more: FilterField[];
  /** After the bar on a wide screen (column chooser…); `phoneTools` next to the button on a phone. */
  tools?: ReactNode;
  phoneTools?: ReactNode;
  /** Shown in the drawer's footer (the result count). */
  footer?: ReactNode;
  onClearAll: () => void;
}) {
  const { t } = useTranslation();
  const wide = Grid.useBreakpoint().md ?? true;
  const [open, setOpen] = useState(false);
  const inDrawer = wide ? more : [...bar, ...more];
  const activeInDrawer = inDrawer.filter((f) => f.active).length;
  const title = wide ? t('filters.more') : t('filters.all');
  const button = (
    <Button icon={<FilterOutlined />} onClick={() => setOpen(true)} data-testid="more-filters">
      {title}
      {activeInDrawer > 0 && <Badge count={activeInDrawer} size="small" color="blue" style={{ marginInlineStart: 4 }} />}
    </Button>
  );
  return (
    <div style={{ marginBottom: 12 }}>
      <Flex wrap gap={8} align="center">
        {wide && bar.map((f) => <Fragment key={f.key}>{f.render(false)}</Fragment>)}
        {button}
        {wide ? tools : phoneTools}
      </Flex>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={title}
        size={wide ? 440 : '100%'}
        footer={
          <Flex justify="space-between" align="center" gap={8}>
            <Typography.Link onClick={onClearAll} data-testid="drawer-clear-filters">
              {t('filters.clearAll')}
            </Typography.Link>
            <Flex align="center" gap={12}>
              {footer}
              <Button type="primary" onClick={() => setOpen(false)} data-testid="filters-done">
                {t('filters.done')}
              </Button>
            </Flex>
          </Flex>
        }>
        <Form layout="vertical" component="div">
          {inDrawer.map((f, i) => (
            <Fragment key={f.key}>
              {f.group && f.group !== inDrawer[i - 1]?.group && (
                <Typography.Title level={5} style={{ marginTop: 8 }}>
                  {f.group}
                </Typography.Title>
              )}
              <Form.Item label={f.label} style={{ marginBottom: 16 }}>
                {f.render(true)}
              </Form.Item>
            </Fragment>
          ))}
        </Form>
      </Drawer>
    </div>
  );
}
