/**
 * End-to-end tests: Vitest in Node drives Debian's Chromium through playwright-core against the real backend,
 * which tests/e2e/support/global-setup.ts starts (fresh SQLite data dir, demo data) and serves frontend/dist from.
 * Run with `npm run test:e2e` after building the console (scripts/build-console).
 */
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: {
    environment: 'node',
    include: ['tests/e2e/**/*.spec.ts'],
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Every scenario has its own browser context but they share one backend and its data: one file at a time keeps
    // counts and screenshots deterministic (the whole run takes well under a minute anyway).
    fileParallelism: false,
    retry: 0,
  },
})
