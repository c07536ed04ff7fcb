import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logging/logger.ts';

export const migrationsDirectory = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies pending migrations; safe to run at every start and from several instances at once. */
export async function migrateUp(databaseUrl: string, logger: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDirectory,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    singleTransaction: true,
    checkOrder: true,
    log: (message: string) => logger.debug({ migration: message }),
    verbose: false,
  });
  const names = applied.map((migration) => migration.name);
  if (names.length > 0) logger.info({ migrations: names }, 'database migrated');
  return names;
}
