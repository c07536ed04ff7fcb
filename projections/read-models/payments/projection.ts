import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { PoolClient } from '../../../infra/postgres/pool.ts';
import type { PaymentState } from '../../../domain/payment/index.ts';
import { evolve, PAYMENT_EVENT_TYPES } from '../../../domain/payment/index.ts';
import { decodePaymentEvent } from '../../core/decode.ts';
import { excludedAssignments, insertRows } from '../../core/sql.ts';
import type { Projection } from '../../core/types.ts';
import { paymentColumns, rowValues, stateFromRow, type PaymentRow } from './row.ts';

interface Folded {
  state: PaymentState | undefined;
  revision: bigint;
  position: bigint;
  changed: boolean;
}

function paymentIdOf(event: StoredEvent): string {
  return String(event.data.paymentId);
}

async function loadFolds(tx: PoolClient, paymentIds: string[]): Promise<Map<string, Folded>> {
  const result = await tx.query<PaymentRow>(
    'SELECT * FROM payments WHERE payment_id = ANY($1::text[])',
    [paymentIds],
  );
  const folds = new Map<string, Folded>();
  for (const row of result.rows) {
    folds.set(row.payment_id, {
      state: stateFromRow(row),
      revision: row.last_stream_revision,
      position: row.last_position,
      changed: false,
    });
  }
  return folds;
}

/** Folds the batch onto the stored rows with the domain's evolve; old revisions are skipped. */
function foldBatch(batch: readonly StoredEvent[], folds: Map<string, Folded>): void {
  for (const event of batch) {
    const paymentId = paymentIdOf(event);
    const fold = folds.get(paymentId) ?? {
      state: undefined,
      revision: -1n,
      position: 0n,
      changed: false,
    };
    // Second line of defence behind the checkpoint: an event the row already reflects.
    if (event.revision <= fold.revision) continue;
    fold.state = evolve(fold.state, decodePaymentEvent(event));
    fold.revision = event.revision;
    fold.position = event.position;
    fold.changed = true;
    folds.set(paymentId, fold);
  }
}

async function apply(batch: readonly StoredEvent[], tx: PoolClient): Promise<void> {
  if (batch.length === 0) return;
  const paymentIds = [...new Set(batch.map(paymentIdOf))];
  const folds = await loadFolds(tx, paymentIds);
  foldBatch(batch, folds);
  const rows: unknown[][] = [];
  for (const fold of folds.values()) {
    if (fold.changed && fold.state) rows.push(rowValues(fold.state, fold.revision, fold.position));
  }
  await insertRows(tx, {
    table: 'payments',
    columns: paymentColumns,
    rows,
    onConflict:
      `ON CONFLICT (payment_id) DO UPDATE SET ${excludedAssignments(paymentColumns, ['payment_id'])} ` +
      'WHERE payments.last_stream_revision < EXCLUDED.last_stream_revision',
  });
}

/** `payments`: the current state of every payment, as the domain folds it. */
export const paymentsProjection: Projection = {
  name: 'payments',
  version: 1,
  handles: PAYMENT_EVENT_TYPES,
  tables: [{ name: 'payments', key: ['payment_id'] }],
  apply,
};
