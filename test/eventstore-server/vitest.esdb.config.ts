import { defineConfig } from 'vitest/config';

/** Runs only this folder without the repository's global setup (an embedded PostgreSQL). */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/eventstore-server/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
