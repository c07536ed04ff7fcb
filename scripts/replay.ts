/**
 * `npm run replay [-- --projection NAME]`: rebuilds projections from the start of `$all` into
 * fresh tables while the live ones keep serving, then swaps them in atomically.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config/env.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { openInfrastructure } from '../projections/cli/infrastructure.ts';
import { progressReporter } from '../projections/cli/progress.ts';
import { replayProjection } from '../projections/rebuild/replay.ts';
import { allProjections, projectionNamed } from '../projections/registry.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      projection: { type: 'string', multiple: true },
      'batch-size': { type: 'string', default: '2000' },
    },
  });
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'replay');
  const projections = values.projection?.map((name) => projectionNamed(name)) ?? allProjections;
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) {
    throw new Error('--batch-size must be an integer from 1 to 50000');
  }
  const infrastructure = await openInfrastructure(config, logger);
  try {
    for (const projection of projections) {
      const progress = progressReporter(
        projection.name,
        await infrastructure.eventStore.headPosition(),
      );
      const result = await replayProjection({
        pool: infrastructure.pool,
        eventStore: infrastructure.eventStore,
        projection,
        batchSize,
        onProgress: ({ position, events }) => progress.update(position, events),
      }).finally(() => progress.stop());
      process.stdout.write(
        `${projection.name} v${projection.version}: ${result.events} events replayed, ` +
          `swapped in at position ${String(result.position ?? 'start')}\n`,
      );
    }
  } finally {
    await infrastructure.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `replay failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
