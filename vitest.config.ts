import { defineConfig } from 'vitest/config';

// Three projects: unit tests need nothing running; integration tests share one real local stack
// (Kafka + OpenSearch) that test/stack-setup.ts brings up once per run, or reuses; fault tests stop and restart
// servers, so they get a second stack of their own (test/faults/second-stack.ts: other ports, another home folder)
// and run after the others (groupOrder), never beside them on two cores.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/stack-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One broker and one search node on two cores: files run one at a time so their timings stay honest.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/faults/second-stack.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
