import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** Tests run against `src` through the `@hrnet/source` export condition, without a build. */
const conditions = ['@hrnet/source', ...defaultServerConditions];

/** Shared test settings of every package. */
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
