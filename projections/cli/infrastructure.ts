import { join, resolve } from 'node:path';
import type { Config } from '../../infra/config/env.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { startEmbeddedEventStore } from '../../infra/eventstore/embedded-process.ts';
import type { Logger } from '../../infra/logging/logger.ts';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded.ts';
import { migrateUp } from '../../infra/postgres/migrate.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import { lockDataDirForEmbeddedStores } from '../../infra/runtime/data-dir-lock.ts';
import { readServiceEndpoints } from '../../infra/runtime/service-endpoints.ts';

export interface Infrastructure {
  pool: Pool;
  eventStore: EventStore;
  close(): Promise<void>;
}

/**
 * The stores of a service running on DATA_DIR (from the endpoints file it keeps there), for
 * whichever of DATABASE_URL and ESDB_CONNECTION_STRING is unset; nothing when none runs.
 */
export async function storesOfRunningService(
  config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL' | 'ESDB_CONNECTION_STRING'>,
  logger: Logger,
): Promise<Partial<Pick<Config, 'DATABASE_URL' | 'ESDB_CONNECTION_STRING'>>> {
  if (config.DATABASE_URL && config.ESDB_CONNECTION_STRING) return {};
  const endpoints = await readServiceEndpoints(config.DATA_DIR);
  if (endpoints === undefined) return {};
  logger.info({ pid: endpoints.pid }, 'using the stores of the service running on DATA_DIR');
  return {
    DATABASE_URL: config.DATABASE_URL ?? endpoints.databaseUrl,
    ESDB_CONNECTION_STRING: config.ESDB_CONNECTION_STRING ?? endpoints.eventStoreConnectionString,
  };
}

/**
 * The databases the scripts work on: DATABASE_URL / ESDB_CONNECTION_STRING when set; else those
 * of a service running on DATA_DIR (see storesOfRunningService); else the embedded ones under
 * DATA_DIR, started here, laid out as infra/runtime/service.ts lays them out.
 */
export async function openInfrastructure(config: Config, logger: Logger): Promise<Infrastructure> {
  const stoppers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    const running = await storesOfRunningService(config, logger);
    config = { ...config, ...running };
    // A service starting on DATA_DIR (no endpoints written yet) holds it: refused after 5 s.
    // One killed with -9 does not: its stale PostgreSQL is stopped, as npm start would.
    const lock = await lockDataDirForEmbeddedStores(config);
    if (lock) stoppers.push(() => lock.release());
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({
        dataDirectory: join(resolve(config.DATA_DIR), 'postgres'),
        port: 0,
        logger: logger.child({ component: 'postgres' }),
      });
      stoppers.push(embedded.stop);
      databaseUrl = embedded.connectionString;
    }
    let esdb = config.ESDB_CONNECTION_STRING;
    if (!esdb) {
      const embedded = await startEmbeddedEventStore({
        dataDirectory: join(resolve(config.DATA_DIR), 'esdb'),
        port: 0,
        logger,
        startTimeoutMs: 60_000,
      });
      stoppers.push(embedded.stop);
      esdb = embedded.connectionString;
    }
    await migrateUp(databaseUrl, logger);
    const pool = createPool({
      connectionString: databaseUrl,
      maxConnections: 4,
      applicationName: 'ledger-projection-script',
      statementTimeoutMs: 600_000,
    });
    stoppers.push(() => pool.end());
    const eventStore = EventStore.connect(esdb);
    stoppers.push(() => eventStore.close());
    return { pool, eventStore, close };
  } catch (error) {
    await close();
    throw error;
  }
}
