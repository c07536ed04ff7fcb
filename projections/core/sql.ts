import type { PoolClient } from '../../infra/postgres/pool.ts';

/** A column of a set-based write: its name and the PostgreSQL type its array is cast to. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: string;
}

export interface UnnestInsert {
  table: string;
  columns: readonly ColumnSpec[];
  rows: readonly (readonly unknown[])[];
  /** The SQL after the SELECT, e.g. `ON CONFLICT (id) DO NOTHING RETURNING id`. */
  onConflict: string;
}

const identifierPattern = /^[a-z_][a-z0-9_]*$/;

export function assertIdentifier(name: string): string {
  if (!identifierPattern.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  return name;
}

/**
 * One multi-row INSERT … SELECT FROM unnest(…) for a whole batch: one round trip and one
 * parameter per column, whatever the number of rows.
 */
export async function insertRows<Row = Record<string, unknown>>(
  tx: PoolClient,
  insert: UnnestInsert,
): Promise<Row[]> {
  if (insert.rows.length === 0) return [];
  const columnArrays: unknown[][] = insert.columns.map(() => []);
  for (const row of insert.rows) {
    if (row.length !== insert.columns.length) throw new Error('row does not match the columns');
    row.forEach((value, index) => columnArrays[index]?.push(value));
  }
  const names = insert.columns.map((column) => assertIdentifier(column.name)).join(', ');
  const arrays = insert.columns.map((column, index) => `$${index + 1}::${column.type}[]`);
  const text =
    `INSERT INTO ${assertIdentifier(insert.table)} (${names}) ` +
    `SELECT * FROM unnest(${arrays.join(', ')}) ${insert.onConflict}`;
  const result = await tx.query(text, columnArrays);
  return result.rows as Row[];
}

/** `col = EXCLUDED.col, …` for every column but the key: an upsert's SET list. */
export function excludedAssignments(
  columns: readonly ColumnSpec[],
  key: readonly string[],
): string {
  return columns
    .filter((column) => !key.includes(column.name))
    .map((column) => `${column.name} = EXCLUDED.${column.name}`)
    .join(', ');
}

/** A JSON column's value: jsonb arrays are sent as text and cast by PostgreSQL. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
}
