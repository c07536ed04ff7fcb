import type { PoolClient } from '../../infra/postgres/pool.ts';
import { assertIdentifier } from '../core/sql.ts';
import type { Projection } from '../core/types.ts';

/**
 * Creates empty copies of a projection's live tables in `schema`, with the same column order,
 * defaults, checks, keys and indexes under the same names, so that after a swap the tables are
 * indistinguishable from the ones the migrations made.
 */
export async function createScratchTables(
  client: PoolClient,
  projection: Projection,
  schema: string,
): Promise<void> {
  const target = assertIdentifier(schema);
  await client.query(`DROP SCHEMA IF EXISTS ${target} CASCADE`);
  await client.query(`CREATE SCHEMA ${target}`);
  for (const { name } of projection.tables) {
    const table = assertIdentifier(name);
    await client.query(
      `CREATE TABLE ${target}.${table} (LIKE public.${table}
         INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY)`,
    );
    const constraints = await client.query<{ name: string; definition: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
      [`public.${table}`],
    );
    for (const constraint of constraints.rows) {
      await client.query(
        `ALTER TABLE ${target}.${table} ADD CONSTRAINT ${assertIdentifier(constraint.name)} ${constraint.definition}`,
      );
    }
    const indexes = await client.query<{ definition: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
        WHERE i.indrelid = $1::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      [`public.${table}`],
    );
    for (const index of indexes.rows) {
      const onLive = ` ON public.${table} `;
      if (!index.definition.includes(onLive))
        throw new Error(`cannot copy index: ${index.definition}`);
      await client.query(index.definition.replace(onLive, ` ON ${target}.${table} `));
    }
  }
}

export async function dropSchema(client: PoolClient, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${assertIdentifier(schema)} CASCADE`);
}

/** A schema name for a projection's rebuild: lower-case, unique per purpose. */
export function scratchSchemaName(
  purpose: 'rebuild' | 'verify' | 'retired',
  projection: Projection,
) {
  return assertIdentifier(`${purpose}_${projection.name}_v${projection.version}`);
}
