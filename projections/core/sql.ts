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
 * Row values as JSON: bigint as its decimal text, which PostgreSQL casts back exactly. A jsonb
 * column takes a JSON-safe value, or JSON text (from jsonText), which is nested as parsed JSON.
 */
function jsonRowValue(value: unknown, column: ColumnSpec): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (column.type === 'jsonb' && typeof value === 'string') return JSON.parse(value) as unknown;
  return value;
}

/**
 * One multi-row INSERT for a whole batch: the rows travel as one JSON document that
 * json_to_recordset expands server-side. One round trip and one parameter whatever the number
 * of rows; jsonb columns take nested JSON as it is (no double encoding, no array escaping).
 */
export async function insertRows<Row = Record<string, unknown>>(
  tx: PoolClient,
  insert: UnnestInsert,
): Promise<Row[]> {
  if (insert.rows.length === 0) return [];
  const names = insert.columns.map((column) => assertIdentifier(column.name));
  const objects = insert.rows.map((row) => {
    if (row.length !== names.length) throw new Error('row does not match the columns');
    const object: Record<string, unknown> = {};
    insert.columns.forEach((column, index) => {
      object[column.name] = jsonRowValue(row[index], column);
    });
    return object;
  });
  const definitions = insert.columns.map((column) => `"${column.name}" ${column.type}`);
  const selected = insert.columns.map((column) => `"${column.name}"`);
  const text =
    `INSERT INTO ${assertIdentifier(insert.table)} (${names.join(', ')}) ` +
    `SELECT ${selected.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS batch(${definitions.join(', ')}) ` +
    insert.onConflict;
  const result = await tx.query(text, [JSON.stringify(objects)]);
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

/** JSON text for a jsonb column (insertRows also takes the value itself, which is cheaper). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
}

/** A value for a jsonb column: JSON-safe, with bigint amounts as decimal text. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'bigint' ? item.toString() : item,
    ),
  );
}
