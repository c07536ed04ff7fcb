import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../../infra/eventstore/event-store.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import type { Projection } from '../../../projections/core/types.ts';
import { journalProjection } from '../../../projections/read-models/journal/projection.ts';
import { paymentsProjection } from '../../../projections/read-models/payments/projection.ts';
import { reconciliationProjection } from '../../../projections/read-models/reconciliation/projection.ts';
import { refundsProjection } from '../../../projections/read-models/refunds/projection.ts';
import { ProjectionRunner } from '../../../projections/runner/projection-runner.ts';

/**
 * The read side as far as reconciliation needs it, run by the projection runner itself (the
 * read side has no `startProjections` export yet). `caughtUp()` waits until every projection's
 * checkpoint has reached the head of `$all` as it was when called.
 */
export interface RunningProjections {
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const reconciliationReadSide: readonly Projection[] = [
  paymentsProjection,
  refundsProjection,
  journalProjection,
  reconciliationProjection,
];

export function runProjections(
  eventStore: EventStore,
  databaseUrl: string,
  projections: readonly Projection[] = reconciliationReadSide,
): RunningProjections {
  const logger = createLogger('warn', 'test-projections');
  const runners = projections.map(
    (projection) =>
      new ProjectionRunner({
        projection,
        eventStore,
        connection: { connectionString: databaseUrl },
        logger,
        instanceId: `test-${randomUUID()}`,
        batchSize: 1_000,
        flushIntervalMs: 50,
        lockPollMs: 100,
        retryDelayMs: 100,
        checkpointIntervalEvents: 200,
        idleScanEventsMax: 50_000,
      }),
  );
  for (const runner of runners) runner.start();
  return {
    caughtUp: async (timeoutMs = 120_000) => {
      const head = await eventStore.headPosition();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const failed = runners.find((runner) => runner.stats.phase === 'failed');
        if (failed) throw new Error(`projection ${failed.stats.name} failed: ${failed.stats.lastError}`);
        if (runners.every((runner) => (runner.stats.checkpoint ?? -1n) >= head)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('projections did not catch up in time');
    },
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop(5_000)));
    },
  };
}
