import { describe, expect, it } from 'vitest';
import { runSoak } from './support/soak.ts';

/** The short form of the soak (test/soak has the 10-minute one): 30 s of mixed load. */
describe('soak, short form', () => {
  it('loses and doubles nothing, balances, verifies and keeps memory flat', async () => {
    const report = await runSoak({ durationMs: 30_000, workers: 3, rssGrowthMaxMiB: 60 });
    expect(report.commands).toBeGreaterThan(60);
    expect(report.duplicates).toBeGreaterThan(10);
    expect(report.callbacks).toBeGreaterThan(20);
  }, 240_000);
});
