import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../infra/logging/logger.ts';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../infra/postgres/embedded.ts';

/**
 * One real PostgreSQL for the whole run: DATABASE_URL when given, else an embedded one in a
 * temporary directory. Tests create their own databases on it (see test/support/database.ts).
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return async () => undefined;
  }
  const directory = await mkdtemp(join(tmpdir(), 'ledger-test-pg-'));
  const logger = createLogger('warn', 'test-postgres');
  const postgres: EmbeddedPostgresHandle = await startEmbeddedPostgres({
    dataDirectory: join(directory, 'data'),
    port: 0,
    logger,
  });
  process.env.TEST_DATABASE_URL = postgres.connectionString;
  return async () => {
    await postgres.stop();
    await rm(directory, { recursive: true, force: true });
  };
}
