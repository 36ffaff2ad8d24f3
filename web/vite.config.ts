/// <reference types="vitest/config" />
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const outDir = resolve(__dirname, '../internal/ui/dist');

export default defineConfig({
  plugins: [
    react(),
    {
      // emptyOutDir removes the committed placeholder that go:embed needs.
      name: 'keep-gitkeep',
      closeBundle() {
        writeFileSync(resolve(outDir, '.gitkeep'), '');
      },
    },
  ],
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // Vendor chunks: React (every page), and ECharts and CodeMirror
        // apart, fetched only by the code that uses them (docs/ui.md,
        // "Bundle"). Mantine stays with the pages that use each component.
        codeSplitting: {
          groups: [
            // tslib is also used by Mantine's scroll lock: in the start-up chunk, not pulled into ECharts'.
            { name: 'react', priority: 3, test: /node_modules[\\/](react|react-dom|scheduler|react-router|@tanstack[\\/]react-query|@tanstack[\\/]query-core|tslib)[\\/]/ },
            { name: 'echarts', priority: 1, test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'codemirror', priority: 2, test: /node_modules[\\/](@codemirror|@lezer|@marijn|crelt|style-mod|w3c-keyname)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.OVERLOOK_API ?? 'http://127.0.0.1:8080',
      '/prometheus': process.env.OVERLOOK_API ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    // Page tests render Mantine in jsdom on a machine shared with builds: a generous bound, not a timing check.
    testTimeout: 30_000,
  },
});
