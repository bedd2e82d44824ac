import { defineConfig } from 'vitest/config';

/**
 * Tests import the compiled build (`dist/`), which `npm test` produces first:
 * the engine's worker threads and the spawned gateway run that same code, and
 * tsc (not esbuild) keeps the decorator metadata type-graphql needs.
 */
export default defineConfig({
  resolve: {
    // type-graphql loads graphql's CJS build; without this Vite would load the
    // .mjs one and graphql refuses objects "from another module or realm".
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Two cores and ~0.6 s of inference per image: files run one at a time so
    // photo-heavy tests do not starve each other into time-outs.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
