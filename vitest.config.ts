import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's alias for src/shared, as electron.vite.config.ts sets it.
  resolve: { alias: { $shared: resolve('src/shared') } },
  test: {
    include: ['test/**/*.test.ts'],
    // test/build checks the built app and runs after the build, with the browser tests.
    exclude: ['test/build/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
