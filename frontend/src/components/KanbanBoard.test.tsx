// @vitest-environment jsdom
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { KanbanBoard, type KanbanColumn } from './KanbanBoard';

interface Item {
  id: number;
  name: string;
  locked?: boolean;
}

const REPORT: Item = { id: 1, name: '写报告' };
const COLUMNS: KanbanColumn<Item, 'todo' | 'doing' | 'done'>[] = [
  { key: 'todo', title: '待办', items: [REPORT, { id: 2, name: '回电话', locked: true }] },
  { key: 'doing', title: '进行中', items: [{ id: 3, name: '上门维修' }], extra: <span data-testid="total-doing">¥100.00</span> },
  { key: 'done', title: '完成', items: [] },
];

const count = (column: string) =>
  within(screen.getByTestId(`column-${column}`))
    .getByTitle(/^\d+$/)
    .getAttribute('title');

describe('the kanban board', () => {
  it('draws each column with its title, count, extra and cards, and an empty state when it has none', () => {
    render(<KanbanBoard data-testid="board" columnWidth={240} cardTestId="item" columns={COLUMNS} renderCard={(x) => x.name} />);
    const board = screen.getByTestId('board');
    expect(board.children).toHaveLength(3);
    const todo = screen.getByTestId('column-todo');
    expect(within(todo).getByText('待办')).toBeTruthy();
    expect([count('todo'), count('doing'), count('done')]).toEqual(['2', '1', '0']);
    expect(within(todo).getByTestId('item-1').textContent).toBe('写报告');
    expect(within(todo).getByTestId('item-2').textContent).toBe('回电话');
    expect(within(screen.getByTestId('column-doing')).getByTestId('total-doing').textContent).toBe('¥100.00');
    expect(screen.getByTestId('column-done').querySelector('.ant-empty')).toBeTruthy();
    expect(todo.querySelector('.ant-empty')).toBeNull();
    // Without onMove nothing is draggable.
    expect(screen.getByTestId('item-1').getAttribute('draggable')).toBe('false');
  });

  it('reports a card dropped on a column, and only the cards that may move can be dragged', () => {
    const onMove = vi.fn();
    render(
      <KanbanBoard
        data-testid="board"
        columnWidth={240}
        cardTestId="item"
        columns={COLUMNS}
        renderCard={(x) => x.name}
        canMove={(x) => !x.locked}
        onMove={onMove}
      />,
    );
    expect(screen.getByTestId('item-2').getAttribute('draggable')).toBe('false');
    fireEvent.dragStart(screen.getByTestId('item-2'));
    fireEvent.drop(screen.getByTestId('column-done'));
    expect(onMove).not.toHaveBeenCalled();

    expect(screen.getByTestId('item-1').getAttribute('draggable')).toBe('true');
    fireEvent.dragStart(screen.getByTestId('item-1'));
    fireEvent.dragOver(screen.getByTestId('column-done'));
    fireEvent.drop(screen.getByTestId('column-done'));
    expect(onMove).toHaveBeenCalledExactlyOnceWith(REPORT, 'done');
    // The drag is over: another drop moves nothing.
    fireEvent.drop(screen.getByTestId('column-doing'));
    expect(onMove).toHaveBeenCalledTimes(1);
  });
});
