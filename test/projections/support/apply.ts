import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import type { Pool } from '../../../infra/postgres/pool.ts';
import type { Projection } from '../../../projections/core/types.ts';
import { applyInTransaction } from '../../../projections/runner/apply.ts';

/** Feeds events to projections in batches, each in its own transaction (no runner, no checkpoint). */
export async function applyDirectly(
  pool: Pool,
  projections: readonly Projection[],
  events: readonly StoredEvent[],
  batchSize: number,
): Promise<void> {
  const client = await pool.connect();
  try {
    for (const projection of projections) {
      const handled = new Set(projection.handles);
      const mine = events.filter((event) => handled.has(event.type));
      for (let start = 0; start < mine.length; start += batchSize) {
        const batch = mine.slice(start, start + batchSize);
        await applyInTransaction(client, projection, batch, 'public', async () => undefined);
      }
    }
  } finally {
    client.release();
  }
}

function stable(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** Every row of the projections' tables, ordered by key, as comparable text. */
export async function snapshotTables(
  pool: Pool,
  projections: readonly Projection[],
  schema = 'public',
): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const projection of projections) {
    for (const table of projection.tables) {
      const result = await pool.query(
        `SELECT * FROM ${schema}.${table.name} ORDER BY ${table.key.join(', ')}`,
      );
      snapshot[table.name] = result.rows.map((row) =>
        JSON.stringify(row, (_key, item: unknown) => stable(item)),
      );
    }
  }
  return snapshot;
}
