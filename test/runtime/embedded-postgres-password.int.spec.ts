import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logging/logger.ts';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded.ts';

const logger = createLogger('silent');

async function connects(connectionString: string): Promise<true | string> {
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the embedded PostgreSQL password', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('is chosen at random for a new cluster, kept 0600 beside it, and the same at the next start', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ledger-pg-password-'));
    directories.push(directory);
    const dataDirectory = join(directory, 'postgres');
    const first = await startEmbeddedPostgres({ dataDirectory, port: 0, logger });
    const passwordFile = join(directory, 'postgres-password.json');
    let kept: string;
    try {
      kept = (JSON.parse(await readFile(passwordFile, 'utf8')) as { password: string }).password;
      expect(kept).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
      expect(new URL(first.connectionString).password).toBe(kept);
      expect(await connects(first.connectionString)).toBe(true);
      // The password every cluster once had is refused.
      const known = new URL(first.connectionString);
      known.password = 'ledger';
      expect(await connects(known.toString())).toContain('password authentication failed');
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres({ dataDirectory, port: 0, logger });
    try {
      expect(new URL(second.connectionString).password).toBe(kept);
      expect(await connects(second.connectionString)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('stays the one of a cluster created before each cluster had its own', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ledger-pg-password-'));
    directories.push(directory);
    const dataDirectory = join(directory, 'postgres');
    const older = await startEmbeddedPostgres({
      dataDirectory,
      port: 0,
      logger,
      password: 'ledger',
    });
    await older.stop();
    const now = await startEmbeddedPostgres({ dataDirectory, port: 0, logger });
    try {
      expect(new URL(now.connectionString).password).toBe('ledger');
      expect(await connects(now.connectionString)).toBe(true);
    } finally {
      await now.stop();
    }
  });
});
