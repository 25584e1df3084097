import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** The test itself runs in Node (library from source for the reference); the page runs in Chromium. */
const conditions = ['@hrnet/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
