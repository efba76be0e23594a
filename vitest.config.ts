import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/** The workspace packages' export condition that points at their TypeScript sources, for a fast edit-test loop. */
const SOURCE_CONDITION = 'sealed-source';

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
