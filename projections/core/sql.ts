import type { PoolClient } from '../../infra/postgres/pool.ts';
import { copyField, copyFromText } from './copy.ts';

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

/** A value as the text PostgreSQL's input function for `column` reads; null stays null. */
function fieldText(value: unknown, column: ColumnSpec): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (column.type === 'jsonb') return jsonText(value);
  return String(value);
}

/** The batch as COPY text: one line per row, columns tab-separated. */
function copyPayload(insert: UnnestInsert): string {
  const width = insert.columns.length;
  const lines: string[] = new Array<string>(insert.rows.length);
  insert.rows.forEach((row, rowIndex) => {
    if (row.length !== width) throw new Error('row does not match the columns');
    const fields: string[] = new Array<string>(width);
    for (let index = 0; index < width; index += 1) {
      fields[index] = copyField(fieldText(row[index], insert.columns[index] as ColumnSpec));
    }
    lines[rowIndex] = fields.join('\t');
  });
  return `${lines.join('\n')}\n`;
}

/** A short stable tag of a column list, so a stage table never outlives a column change. */
function columnsTag(names: readonly string[]): string {
  let hash = 2166136261;
  for (const character of names.join(',')) {
    hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 16777619) >>> 0;
  }
  return hash.toString(36);
}

/**
 * One set-based write for a whole batch: the rows travel by COPY (text format: the cheapest
 * path into PostgreSQL, no JSON or array literal to parse) into a session-local stage table,
 * and ONE `INSERT … SELECT` moves them to the table, so `onConflict` (upsert, revision guard,
 * DO NOTHING, RETURNING) works as for any INSERT. All of it is one query string with the data
 * sent along: one round trip whatever the number of rows.
 * A jsonb column takes a JSON-safe value, or JSON text (from jsonText) as it is.
 */
export async function insertRows<Row = Record<string, unknown>>(
  tx: PoolClient,
  insert: UnnestInsert,
): Promise<Row[]> {
  if (insert.rows.length === 0) return [];
  const table = assertIdentifier(insert.table);
  const names = insert.columns.map((column) => assertIdentifier(column.name)).join(', ');
  const stage = `projection_stage_${table}_${columnsTag(insert.columns.map((c) => c.name))}`;
  // Temp tables live in the session (pg_temp is searched first, whatever the search_path); the
  // stage empties itself at commit and a rollback discards what this batch put in it.
  // DELETE … RETURNING empties the stage in the same statement, for a second write this batch.
  const results = await copyFromText(
    tx,
    `CREATE TEMP TABLE IF NOT EXISTS ${stage} ON COMMIT DELETE ROWS AS ` +
      `SELECT ${names} FROM ${table} WITH NO DATA; COPY ${stage} (${names}) FROM STDIN; ` +
      `WITH batch AS (DELETE FROM ${stage} RETURNING ${names}) ` +
      `INSERT INTO ${table} (${names}) SELECT ${names} FROM batch ${insert.onConflict}`,
    copyPayload(insert),
  );
  return (results.at(-1)?.rows ?? []) as Row[];
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

function bigintAsText(_key: string, item: unknown): unknown {
  return typeof item === 'bigint' ? item.toString() : item;
}

/** JSON text for a jsonb column, bigint amounts as decimal text. */
export function jsonText(value: unknown): string {
  try {
    // Most values hold no bigint: the plain call is several times faster than with a replacer.
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintAsText);
  }
}

/** A value for a jsonb column: JSON-safe, with bigint amounts as decimal text. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, bigintAsText));
}
