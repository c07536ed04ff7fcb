/**
 * `npm run verify`: rebuilds every projection into a scratch schema and compares it row for
 * row with the live tables, and recomputes every stream's hash chain. Exits 1 on any drift or
 * broken chain, 2 when it could not decide (e.g. the live projections kept moving).
 */
import { loadConfig } from '../infra/config/env.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { openInfrastructure } from '../projections/cli/infrastructure.ts';
import { allProjections } from '../projections/registry.ts';
import { verifyLedger, type VerificationReport } from '../projections/verify/verify.ts';

function render(report: VerificationReport): string {
  const lines = ['# Ledger verification', ''];
  for (const item of report.projections) {
    const verdict = item.inconclusive
      ? `INCONCLUSIVE: ${item.inconclusive}`
      : item.drift
        ? 'DRIFT'
        : 'ok';
    lines.push(
      `${item.projection} v${item.version} at position ${String(item.position ?? 'start')}: ${verdict}`,
    );
    for (const table of item.tables) {
      const differing = table.onlyLive + table.onlyRebuilt;
      lines.push(
        `  ${table.table}: ${table.liveRows} live rows, ${table.rebuiltRows} rebuilt rows, ` +
          `${table.onlyLive} only live, ${table.onlyRebuilt} only rebuilt` +
          (differing > 0 ? `; e.g. ${table.sampleKeys.join(' ')}` : ''),
      );
    }
  }
  const chains = report.chains;
  lines.push(
    `hash chains: ${chains.streams} streams, ${chains.events} events, ${chains.broken.length} broken`,
  );
  for (const broken of chains.broken) {
    lines.push(`  ${broken.stream} at revision ${broken.revision}: ${broken.reason}`);
  }
  lines.push('', report.ok ? 'VERIFIED' : 'FAILED');
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'verify');
  const infrastructure = await openInfrastructure(config, logger);
  try {
    const report = await verifyLedger({
      pool: infrastructure.pool,
      eventStore: infrastructure.eventStore,
      projections: allProjections,
      batchSize: 2_000,
      log: (message) => process.stderr.write(`${message}\n`),
    });
    process.stdout.write(render(report));
    const inconclusive = report.projections.some((item) => item.inconclusive !== null);
    const failed = report.chains.broken.length > 0 || report.projections.some((item) => item.drift);
    process.exitCode = failed ? 1 : inconclusive ? 2 : 0;
  } finally {
    await infrastructure.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
