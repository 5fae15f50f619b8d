import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing running; integration tests share one real local stack
// (Kafka + OpenSearch) that test/stack-setup.ts brings up once per run, or reuses.
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
    ],
  },
});
