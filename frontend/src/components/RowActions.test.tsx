// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import type { ReactElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import '../i18n';
import { RowActions } from './RowActions';

const renderInApp = (element: ReactElement) =>
  render(
    <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }}>
      <AntApp>{element}</AntApp>
    </ConfigProvider>,
  );

describe('the row actions', () => {
  it('calls back on edit; delete asks first and calls back only when confirmed', async () => {
    const onEdit = vi.fn();
    const onDelete = vi.fn(() => Promise.resolve());
    renderInApp(<RowActions onEdit={onEdit} onDelete={onDelete} extra={<button>合并</button>} />);
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: '编辑' }));
    expect(onEdit).toHaveBeenCalledOnce();
    expect(screen.getByRole('button', { name: '合并' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: '删除' }));
    expect(await screen.findByText('确定删除吗？')).toBeTruthy();
    expect(onDelete).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: /取\s*消|Cancel/ }));
    expect(onDelete).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: '删除' }));
    await user.click(await screen.findByRole('button', { name: /确\s*定|OK/ }));
    expect(onDelete).toHaveBeenCalledOnce();
    expect(onEdit).toHaveBeenCalledOnce();
  });

  it('shows why a delete failed', async () => {
    const problem = { type: '/problems/conflict', title: 'Conflict', status: 409, code: 'conflict', detail: '标签仍在使用', errors: [] };
    const onDelete = vi.fn(() => Promise.reject(new ApiError(409, problem)));
    renderInApp(<RowActions onEdit={vi.fn()} onDelete={onDelete} />);
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: '删除' }));
    await user.click(await screen.findByRole('button', { name: /确\s*定|OK/ }));
    expect(await screen.findByText('操作与当前数据冲突：标签仍在使用')).toBeTruthy();
  });

  it('has no delete button without onDelete', () => {
    renderInApp(<RowActions onEdit={vi.fn()} />);
    expect(screen.getByRole('button', { name: '编辑' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: '删除' })).toBeNull();
  });
});
