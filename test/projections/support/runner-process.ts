/**
 * A projection runner in a process of its own, for the crash spec to kill with SIGKILL.
 * The ledger is generated from a seed, so a restarted process serves the very same `$all`.
 */
import { createLogger } from '../../../infra/logging/logger.ts';
import { createPool } from '../../../infra/postgres/pool.ts';
import { startProjections } from '../../../projections/start.ts';
import { MemoryEventSource } from '../../../projections/testing/memory-event-source.ts';
import { crashLedger } from './crash-ledger.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const pool = createPool({
  connectionString: databaseUrl,
  maxConnections: 4,
  applicationName: 'crash-runner',
});
startProjections({
  pool,
  eventStore: new MemoryEventSource(crashLedger()),
  logger: createLogger('warn', 'crash-runner'),
  batchSize: Number(process.env.BATCH_SIZE ?? '250'),
  flushIntervalMs: 20,
  lockPollMs: 100,
});
process.stdout.write('ready\n');
// Runs until killed.
setInterval(() => undefined, 60_000);
