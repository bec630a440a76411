import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles src/ into dist/ first: worker threads and spawned CLIs run the current source.
    globalSetup: ['test/global-setup.ts'],
    // Every property test draws from one fixed seed (FC_SEED overrides it).
    setupFiles: ['test/fast-check-seed.ts'],
    // Real sockets and worker threads on a busy 2-core machine: be generous, never flaky.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
