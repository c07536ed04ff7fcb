import { defineConfig } from 'vitest/config';

/** The long forms only (`npm run test:soak`): the root config excludes them from `npm test`. */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.spec.ts'],
    exclude: ['node_modules/**', '.data/**'],
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
