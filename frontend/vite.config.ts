/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a `crm serve` on CRM_HOST:CRM_PORT (the README's defaults).
const api = `http://${process.env.CRM_HOST ?? '127.0.0.1'}:${process.env.CRM_PORT ?? '8000'}`;

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': api } },
  build: { chunkSizeWarningLimit: 1500 },
  test: {
    environment: 'node', // component tests and those needing the DOM say `@vitest-environment jsdom`
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    testTimeout: 30_000, // antd screens in jsdom on a busy 2-core machine
    // One test file per core: the default leaves one core to the main process, which mostly
    // waits (on 2 cores that halves the run).
    maxWorkers: '100%',
  },
});
