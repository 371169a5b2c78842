import { afterEach, vi } from 'vitest';

// jsdom lays nothing out: no ResizeObserver, which antd's tables and selects watch.
if (typeof window !== 'undefined' && !window.ResizeObserver) {
  window.ResizeObserver = class {
    observe() {
      /* nothing resizes in jsdom */
    }
    unobserve() {
      /* idem */
    }
    disconnect() {
      /* idem */
    }
  };
}

// jsdom has no matchMedia; antd's responsive grid asks it (every query answers "wide screen").
if (typeof window !== 'undefined' && !window.matchMedia) {
  window.matchMedia = (query: string) => ({
    matches: !query.includes('max-width'),
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  });
}

afterEach(async () => {
  if (typeof document !== 'undefined') {
    const { cleanup } = await import('@testing-library/react');
    cleanup();
    localStorage.clear();
  }
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
