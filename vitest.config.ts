import { defineConfig } from 'vitest/config';

// Four projects: fast unit tests, database integration tests (PGlite always,
// PostgreSQL too when TEST_DATABASE_URL is set), browser end-to-end tests
// with the built extension in Chromium, and fault injection (tests/faults).
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
      {
        extends: true,
        test: {
          // Fault injection (issue 9): the real server in a child process,
          // SIGKILLed, SIGTERMed and cut off from PostgreSQL under load. One
          // file at a time (each runs its own server and load on 2 cores);
          // FAULTS_SOAK=1 runs much longer.
          name: 'faults',
          sequence: { groupOrder: 3 },
          include: ['tests/faults/**/*.test.ts'],
          testTimeout: process.env.FAULTS_SOAK === '1' ? 3_600_000 : 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
