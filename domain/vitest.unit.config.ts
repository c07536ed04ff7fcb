import { defineConfig } from 'vitest/config';

// Runs the domain's unit specs without the root global setup (which starts servers).
export default defineConfig({
  test: { include: ['domain/**/*.unit.spec.ts'], root: '.' },
});
