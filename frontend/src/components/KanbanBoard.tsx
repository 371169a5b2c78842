import { Badge, Card, Empty, Flex, Space, Spin, Typography } from 'antd';
import { useState, type ReactNode } from 'react';

export interface KanbanColumn<T, K extends string> {
  key: K;
  title: ReactNode;
  items: readonly T[];
  /** The header's count when the column holds more than it has loaded; else its items'. */
  count?: number;
  /** After the count in the header (the column's total). */
  extra?: ReactNode;
  /** Its first cards are on the way: a spinner where "empty" would be. */
  loading?: boolean;
  /** After the cards ("load more"). */
  footer?: ReactNode;
}

/**
 * Columns side by side (a status, a stage), each with its count and a stack of cards; the row
 * scrolls sideways. With `onMove`, a card `canMove` allows can be dragged onto another column:
 * the board says which card went where, the page decides what that means.
 */
export function KanbanBoard<T extends { id: number }, K extends string>({
  columns,
  renderCard,
  columnWidth,
  cardTestId,
  canMove = () => true,
  onMove,
  'data-testid': testId,
}: {
  columns: readonly KanbanColumn<T, K>[];
  renderCard: (item: T) => ReactNode;
  columnWidth: number;
  /** Each card's data-testid is `${cardTestId}-${id}`. */
  cardTestId?: string;
  canMove?: (item: T) => boolean;
  onMove?: (item: T, to: K) => void;
  'data-testid': string;
}) {
  const [dragged, setDragged] = useState<T | null>(null);
  const drop = (to: K) => {
    const item = dragged;
    setDragged(null);
    if (item && onMove) onMove(item, to);
  };
  return (
    <Flex gap={12} style={{ overflowX: 'auto', paddingBottom: 8 }} data-testid={testId} data-scroll-x>
      {columns.map((column) => (
        <div
          key={column.key}
          data-testid={`column-${column.key}`}
          onDragOver={onMove ? (e) => e.preventDefault() : undefined}
          onDrop={
            onMove
              ? (e) => {
                  e.preventDefault();
                  drop(column.key);
                }
              : undefined
          }
          // A drop target stays tall enough to aim at when its column is empty.
          style={{ flex: `0 0 ${columnWidth}px`, background: '#fafafa', borderRadius: 8, padding: 8, minHeight: onMove ? 200 : undefined }}>
          <Space style={{ marginBottom: 8 }} wrap size={4}>
            <Typography.Text strong>{column.title}</Typography.Text>
            <Badge
              count={column.count ?? column.items.length}
              overflowCount={Number.MAX_SAFE_INTEGER}
              showZero
              color="#999"
              data-testid={`count-${column.key}`}
            />
            {column.extra}
          </Space>
          {column.items.length === 0 &&
            (column.loading ? (
              <Spin style={{ display: 'block', padding: 16 }} />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} />
            ))}
          {column.items.map((item) => {
            const movable = onMove !== undefined && canMove(item);
            return (
              <Card
                key={item.id}
                size="small"
                style={{ marginBottom: 8, cursor: movable ? 'grab' : undefined }}
                data-testid={cardTestId && `${cardTestId}-${item.id}`}
                draggable={movable}
                onDragStart={movable ? () => setDragged(item) : undefined}
                onDragEnd={movable ? () => setDragged(null) : undefined}>
                {renderCard(item)}
              </Card>
            );
          })}
          {column.footer}
        </div>
      ))}
    </Flex>
  );
}
