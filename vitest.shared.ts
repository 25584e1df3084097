import { defineConfig } from 'vitest/config';

/** Shared test settings: tests run against `src` through the `@hrnet/source` export condition. */
export default defineConfig({
  resolve: { conditions: ['@hrnet/source'] },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
