// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import '../i18n';
import { isChunkLoadError, RouteError } from './RouteError';

function Broken({ error }: { error: Error }): never {
  throw error;
}

describe('a route that fails', () => {
  it('recognises the browsers’ chunk-load failures', () => {
    expect(isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: http://x/assets/a.js'))).toBe(true);
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true);
    expect(isChunkLoadError(new Error('x is undefined'))).toBe(false);
  });

  it('shows "new version / network" with a reload button, not the router’s developer page', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const router = createMemoryRouter([
      {
        path: '/',
        element: <Broken error={new TypeError('Failed to fetch dynamically imported module: /assets/x.js')} />,
        errorElement: <RouteError />,
      },
    ]);
    render(<RouterProvider router={router} />);
    expect(await screen.findByText('新版本已发布或网络异常')).toBeTruthy();
    expect(screen.getByText('请刷新页面后重试。')).toBeTruthy();
    expect(screen.getByTestId('reload')).toBeTruthy();
    expect(screen.queryByText(/Unexpected Application Error/)).toBeNull();
  });
});
