import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests, database integration tests (PGlite always,
// PostgreSQL too when TEST_DATABASE_URL is set) and browser end-to-end tests
// with the built extension in Chromium.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    reporters: ['default', './tests/support/count-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['shared/src/**/*.test.ts', 'server/src/**/*.test.ts', 'extension/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', 'extension/.output/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'db',
          sequence: { groupOrder: 1 },
          include: ['server/test/**/*.test.ts'],
          globalSetup: ['server/test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // PGlite needs ~1 GB per instance while it starts; two workers fit
          // on the 2-core CI machine.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
