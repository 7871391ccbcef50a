import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A PostgreSQL for the tests: TEST_DATABASE_URL, 127.0.0.1:5432, or an embedded one.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
    projects: [
      // In-process, one module at a time: no servers, sockets, child processes or PostgreSQL.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'default', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', 'test/e2e/**'] },
      },
      {
        // Real server processes (`npm start` builds dist/): one file at a time so builds never overlap.
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false },
      },
      {
        // The feature suite once more, on PostgreSQL + S3 (s3rver) instead of SQLite + filesystem.
        extends: true,
        test: {
          name: 'feature-pg-s3',
          include: ['test/feature/**/*.test.ts'],
          env: { MODELGUARD_TEST_STORAGE: 'pg-s3' },
          setupFiles: ['test/support/pg-s3-setup.ts'],
        },
      },
    ],
  },
});
