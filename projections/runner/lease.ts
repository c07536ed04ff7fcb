import pg from 'pg';
import type { Pool } from '../../infra/postgres/pool.ts';

/** Advisory-lock class for projection leadership; the object id is a hash of the name. */
const lockClass = 0x1ed9e7;

/**
 * Leadership of one projection: a session advisory lock held on a dedicated connection. The
 * batches run on the same connection, so losing the connection loses both the lock and any open
 * transaction at once; another instance then takes the lock on its next poll.
 */
export class ProjectionLease {
  private lost = false;

  private constructor(
    readonly client: pg.Client,
    readonly projectionName: string,
  ) {
    client.on('error', () => {
      this.lost = true;
    });
    client.on('end', () => {
      this.lost = true;
    });
  }

  get alive(): boolean {
    return !this.lost;
  }

  /** The lock, or undefined when another session holds it. Never waits for it. */
  static async tryAcquire(
    connection: pg.ClientConfig,
    projectionName: string,
  ): Promise<ProjectionLease | undefined> {
    const client = new pg.Client({
      ...connection,
      application_name: `ledger-projection:${projectionName}`.slice(0, 63),
    });
    await client.connect();
    try {
      const result = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [lockClass, projectionName],
      );
      if (result.rows[0]?.locked === true) return new ProjectionLease(client, projectionName);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end().catch(() => undefined);
    return undefined;
  }

  /** Ending the session releases the lock (and rolls back anything still open). */
  async release(): Promise<void> {
    this.lost = true;
    await this.client.end().catch(() => undefined);
  }
}

/** The settings of the service's pool, for the dedicated connections. */
export function connectionConfigOf(pool: Pool): pg.ClientConfig {
  const options = pool.options;
  return {
    connectionString: options.connectionString,
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    statement_timeout: options.statement_timeout,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
  };
}
