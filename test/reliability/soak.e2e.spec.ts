import { describe, expect, it } from 'vitest';
import { runSoak } from './support/soak.ts';

/**
 * The short form of the soak: 1 minute of mixed load, checking effects (nothing lost or doubled, books
 * balanced, verify clean) and memory: the API's live heap (after full collections) and its RSS,
 * from the end of the warm-up to the end. Both are steady at this length since the API runs with
 * its heap cap; a slow leak shows only in the 10-minute form (test/soak).
 */
describe('soak, short form', () => {
  it('loses and doubles nothing, balances, verifies and keeps memory flat', async () => {
    const report = await runSoak({
      durationMs: 60_000,
      workers: 3,
      rssGrowthMaxMiB: 60,
      heapGrowthMaxMiB: 10,
    });
    expect(report.commands).toBeGreaterThan(120);
    expect(report.duplicates).toBeGreaterThan(20);
    expect(report.callbacks).toBeGreaterThan(40);
  }, 240_000);
});
