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
    chunkSizeWarningLimit: 1200,
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
  },
});
