import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The truth tests measure latency to within 2 % of a known delay: on a 2-core machine they run
 * after the rest of the suite, alone, because a test file beside them (a browser, a decoder, a
 * 10-process shard run) delays a thread's wake-up by more than that bound.
 */
const ALONE = ['test/integration/truth/**/*.test.ts'];

export default defineConfig({
  test: {
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
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...ALONE], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
