import type { ProjectionEventSource } from '../core/event-source.ts';
import type { Pool } from '../../infra/postgres/pool.ts';
import { LEDGER_EVENT_TYPE_PREFIXES, type Projection } from '../core/types.ts';
import { createScratchTables, dropSchema, scratchSchemaName } from '../rebuild/scratch-schema.ts';
import { rebuildInto } from '../rebuild/rebuild.ts';
import { readCheckpoint } from '../runner/checkpoints.ts';
import { skippedPositions } from '../runner/poison.ts';
import { compareTable, type TableDrift } from './compare.ts';
import { verifyAllHashChains, type ChainReport } from './hash-chains.ts';

export interface ProjectionVerification {
  projection: string;
  version: number;
  /** The position both sides reflect when compared. */
  position: bigint | null;
  tables: TableDrift[];
  drift: boolean;
  /** Set when the comparison could not be made (live kept moving, rebuild failed). */
  inconclusive: string | null;
}

export interface VerificationReport {
  projections: ProjectionVerification[];
  chains: ChainReport;
  ok: boolean;
}

export interface VerifyOptions {
  pool: Pool;
  eventStore: ProjectionEventSource;
  projections: readonly Projection[];
  batchSize: number;
  /** Tries to meet a live projection that keeps moving at the same position. */
  attemptsMax?: number;
  log?: (message: string) => void;
}

async function livePosition(pool: Pool, projection: Projection): Promise<bigint | null> {
  const row = await readCheckpoint(pool, { name: projection.name, version: projection.version });
  return row?.position ?? null;
}

/** Compares inside one snapshot, only if the live checkpoint is still where the rebuild stopped. */
async function compareAt(
  options: VerifyOptions,
  projection: Projection,
  schema: string,
  position: bigint | null,
) {
  const client = await options.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const current = await readCheckpoint(client, {
      name: projection.name,
      version: projection.version,
    });
    if ((current?.position ?? null) !== position) return undefined;
    const tables: TableDrift[] = [];
    for (const table of projection.tables)
      tables.push(await compareTable(client, table, 'public', schema));
    return tables;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** Rebuilds one projection into a scratch schema up to the live checkpoint, then compares. */
export async function verifyProjection(
  options: VerifyOptions,
  projection: Projection,
): Promise<ProjectionVerification> {
  const schema = scratchSchemaName('verify', projection);
  const setup = await options.pool.connect();
  await createScratchTables(setup, projection, schema).finally(() => setup.release());
  const key = { name: projection.name, version: projection.version };
  const skipped = await skippedPositions(options.pool, key);
  const base = {
    projection: projection.name,
    version: projection.version,
    tables: [],
    drift: false,
  };
  let rebuilt: bigint | undefined;
  try {
    for (let attempt = 0; attempt < (options.attemptsMax ?? 10); attempt += 1) {
      const target = await livePosition(options.pool, projection);
      if (target === null)
        return {
          ...base,
          position: null,
          inconclusive: null,
          tables: (await compareAt(options, projection, schema, null)) ?? [],
        };
      if (rebuilt !== undefined && rebuilt > target) break;
      const result = await rebuildInto({
        pool: options.pool,
        eventStore: options.eventStore,
        projection,
        schema,
        batchSize: options.batchSize,
        ...(rebuilt === undefined ? {} : { fromPosition: rebuilt }),
        untilPosition: target,
        skippedPositions: skipped,
      });
      rebuilt = result.position ?? rebuilt;
      const tables = await compareAt(options, projection, schema, target);
      if (tables !== undefined) {
        const drift = tables.some((table) => table.onlyLive > 0 || table.onlyRebuilt > 0);
        return { ...base, position: target, tables, drift, inconclusive: null };
      }
      options.log?.(
        `${projection.name}: live checkpoint moved, catching up (attempt ${attempt + 1})`,
      );
    }
    return {
      ...base,
      position: null,
      inconclusive: 'the live projection kept moving; run verify when quieter',
    };
  } finally {
    const cleanup = await options.pool.connect();
    await dropSchema(cleanup, schema).finally(() => cleanup.release());
  }
}

/** Every projection rebuilt and compared row for row, and every stream's hash chain checked. */
export async function verifyLedger(options: VerifyOptions): Promise<VerificationReport> {
  const projections: ProjectionVerification[] = [];
  for (const projection of options.projections) {
    options.log?.(`verifying ${projection.name} v${projection.version}`);
    projections.push(await verifyProjection(options, projection));
  }
  options.log?.('verifying hash chains');
  const chains = await verifyAllHashChains(options.eventStore, LEDGER_EVENT_TYPE_PREFIXES);
  const ok =
    chains.broken.length === 0 &&
    projections.every((item) => !item.drift && item.inconclusive === null);
  return { projections, chains, ok };
}
