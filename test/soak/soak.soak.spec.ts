import { describe, expect, it } from 'vitest';
import { runSoak } from '../reliability/support/soak.ts';

const durationMs = Number(process.env.SOAK_DURATION_MS ?? 10 * 60_000);

/** The long form: 10 minutes of mixed load (SOAK_DURATION_MS to change it). npm run test:soak */
describe('soak, long form', () => {
  it(
    'loses and doubles nothing, balances, verifies and keeps memory flat',
    async () => {
      const report = await runSoak({
        durationMs,
        workers: 4,
        rssGrowthMaxMiB: 80,
        heapGrowthMaxMiB: 10,
      });
      console.log(
        `soak: ${JSON.stringify({
          ...report,
          rssMiB: report.rssMiB.join(' '),
          heapAfterGcMiB: report.heapAfterGcMiB.join(' '),
        })}`,
      );
      expect(report.commands).toBeGreaterThan(durationMs / 1_000);
    },
    durationMs + 300_000,
  );
});
