import type { PoolClient } from '../../infra/postgres/pool.ts';
import { assertIdentifier } from '../core/sql.ts';
import type { ProjectionTable } from '../core/types.ts';

export interface TableDrift {
  table: string;
  liveRows: number;
  rebuiltRows: number;
  /** Rows in the live table that a clean rebuild does not have (or has differently). */
  onlyLive: number;
  /** Rows in the rebuild that the live table lacks (or has differently). */
  onlyRebuilt: number;
  /** Keys of a few differing rows, for the report. */
  sampleKeys: string[];
}

async function differences(
  client: PoolClient,
  table: ProjectionTable,
  left: string,
  right: string,
): Promise<{ count: number; keys: string[] }> {
  const name = assertIdentifier(table.name);
  const key = table.key.map(assertIdentifier).join(', ');
  const result = await client.query<{ total: bigint; key: string | null }>(
    `WITH difference AS (
       SELECT * FROM ${assertIdentifier(left)}.${name}
       EXCEPT ALL
       SELECT * FROM ${assertIdentifier(right)}.${name})
     SELECT count(*) OVER () AS total, row_to_json(row(${key}))::text AS key
       FROM difference LIMIT 5`,
  );
  return {
    count: Number(result.rows[0]?.total ?? 0n),
    keys: result.rows.map((row) => row.key ?? ''),
  };
}

async function rowCount(client: PoolClient, schema: string, table: string): Promise<number> {
  const result = await client.query<{ total: bigint }>(
    `SELECT count(*) AS total FROM ${assertIdentifier(schema)}.${assertIdentifier(table)}`,
  );
  return Number(result.rows[0]?.total ?? 0n);
}

/** Row-for-row comparison (every column, duplicates counted) of a live table and its rebuild. */
export async function compareTable(
  client: PoolClient,
  table: ProjectionTable,
  liveSchema: string,
  rebuiltSchema: string,
): Promise<TableDrift> {
  const onlyLive = await differences(client, table, liveSchema, rebuiltSchema);
  const onlyRebuilt = await differences(client, table, rebuiltSchema, liveSchema);
  return {
    table: table.name,
    liveRows: await rowCount(client, liveSchema, table.name),
    rebuiltRows: await rowCount(client, rebuiltSchema, table.name),
    onlyLive: onlyLive.count,
    onlyRebuilt: onlyRebuilt.count,
    sampleKeys: [...onlyLive.keys, ...onlyRebuilt.keys].slice(0, 5),
  };
}
