import type { EventStore } from '../../../infra/eventstore/event-store.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import type { Pool } from '../../../infra/postgres/pool.ts';
import type { Projection } from '../../../projections/core/types.ts';
import { journalProjection } from '../../../projections/read-models/journal/projection.ts';
import { paymentsProjection } from '../../../projections/read-models/payments/projection.ts';
import { reconciliationProjection } from '../../../projections/read-models/reconciliation/projection.ts';
import { refundsProjection } from '../../../projections/read-models/refunds/projection.ts';
import { startProjections } from '../../../projections/start.ts';

/** The read models reconciliation reads and writes, without the ones it does not need. */
export const reconciliationReadSide: readonly Projection[] = [
  paymentsProjection,
  refundsProjection,
  journalProjection,
  reconciliationProjection,
];

export interface RunningReadSide {
  /** Waits until every projection has reached the head of `$all` as it is now. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The read side's own runner (projections/start.ts) over the projections above. */
export function runProjections(eventStore: EventStore, pool: Pool): RunningReadSide {
  const running = startProjections({
    pool,
    eventStore,
    logger: createLogger('warn', 'test-projections'),
    projections: reconciliationReadSide,
    batchSize: 1_000,
    flushIntervalMs: 50,
    lockPollMs: 100,
  });
  return {
    caughtUp: async (timeoutMs = 300_000) => {
      const head = await eventStore.headPosition();
      await running.waitForPosition(head, timeoutMs);
    },
    stop: () => running.stop(),
  };
}
