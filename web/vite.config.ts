/// <reference types="vitest/config" />
// Builds the dashboard into dist/ (embedded by the storefleet binary) and runs the
// component tests. The dev server proxies the API so the browser stays same-origin.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // The machine is shared with Rust and Go builds: one worker is plenty.
    pool: 'threads',
    maxWorkers: 1,
    fileParallelism: false,
    // A busy shared machine renders late: a test's deadline is about hangs, not speed.
    testTimeout: 20_000,
    css: false,
  },
});
