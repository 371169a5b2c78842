import { FilterOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Grid, Space, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A screen's card: its title and actions wrap onto two lines on a phone instead of overlapping. */
export function PageCard({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <Card>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {actions && <Space wrap>{actions}</Space>}
      </Flex>
      {children}
    </Card>
  );
}

/** A list's filters: in a row on a wide screen, behind a toggle on a phone. */
export function FilterBar({ active, children }: { active: number; children: ReactNode }) {
  const { t } = useTranslation();
  const wide = Grid.useBreakpoint().md ?? true;
  const [open, setOpen] = useState(false);
  return (
    <div style={{ marginBottom: 16 }}>
      {!wide && (
        <Button icon={<FilterOutlined />} onClick={() => setOpen(!open)} style={{ marginBottom: open ? 8 : 0 }}>
          {t('common.filters')}
          {active ? ` (${active})` : ''}
        </Button>
      )}
      {(wide || open) && (
        <Flex wrap gap={8}>
          {children}
        </Flex>
      )}
    </div>
  );
}
