import { mkdir } from 'node:fs/promises';
import type { Config } from '../config/env.ts';
import {
  lockDataDirectory,
  type DirectoryLock,
} from '../eventstore-server/storage/directory-lock.ts';

/**
 * The embedded stores keep their data under DATA_DIR, and only one process may run them: a
 * second one would take the first one's PostgreSQL for a stale one left by a crash, and stop
 * it. So whoever starts them (the service, or a script with no service running) first takes
 * DATA_DIR (`service.lock`, see directory-lock.ts), and releases it after stopping them. With
 * both stores configured elsewhere, DATA_DIR holds nothing a second instance could harm, and
 * nothing is taken: several instances may share it.
 */
export async function lockDataDirForEmbeddedStores(
  config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL' | 'ESDB_CONNECTION_STRING'>,
): Promise<DirectoryLock | undefined> {
  if (config.DATABASE_URL && config.ESDB_CONNECTION_STRING) return undefined;
  await mkdir(config.DATA_DIR, { recursive: true });
  return lockDataDirectory(config.DATA_DIR, {
    fileName: 'service.lock',
    what: 'DATA_DIR',
    advice:
      'another service or script runs its embedded stores there: stop it, or give this one a DATA_DIR of its own',
  });
}
