import type { ConnectionArguments } from './arguments.ts';
import { pageRequest } from './arguments.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { Conditions, Queryable } from '../data/sql.ts';

/**
 * A column of a list's stable order. Timestamps travel in cursors as integer microseconds so
 * that PostgreSQL's precision survives the round trip exactly.
 */
export interface KeyColumn {
  column: string;
  kind: 'timestamp' | 'text' | 'bigint';
}

export interface KeysetList<Row, Node> {
  /** Tags cursors, so that one list refuses another's. */
  name: string;
  table: string;
  columns: string;
  /** The order, ending in a unique column. */
  keys: readonly KeyColumn[];
  toNode: (row: Row) => Node;
}

export interface Connection<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** Resolved only when the client asks for it. */
  totalCount: () => Promise<number>;
}

function keySelect(key: KeyColumn, index: number): string {
  const expression =
    key.kind === 'timestamp'
      ? `(extract(epoch FROM ${key.column}) * 1000000)::bigint::text`
      : `${key.column}::text`;
  return `${expression} AS cursor_key_${index}`;
}

function keyParameter(key: KeyColumn, placeholder: string): string {
  if (key.kind === 'timestamp')
    return `(timestamptz 'epoch' + ${placeholder}::bigint * interval '1 microsecond')`;
  return key.kind === 'bigint' ? `${placeholder}::bigint` : `${placeholder}::text`;
}

function compareToCursor(
  conditions: Conditions,
  keys: readonly KeyColumn[],
  operator: '<' | '>' | '<=' | '>=',
  values: readonly string[],
): void {
  const columns = keys.map((key) => key.column).join(', ');
  const parameters = keys.map((key, index) =>
    keyParameter(key, conditions.parameter(values[index])),
  );
  conditions.add(`(${columns}) ${operator} (${parameters.join(', ')})`);
}

function checkCursorValues(
  keys: readonly KeyColumn[],
  values: readonly string[],
  argument: string,
  list: string,
): void {
  keys.forEach((key, index) => {
    const value = values[index] ?? '';
    if (key.kind !== 'text' && !/^-?[0-9]{1,20}$/.test(value)) {
      // A forged cursor: refuse it as the same "not a cursor" answer as any other.
      decodeCursor(list, '', keys.length, argument);
    }
  });
}

async function exists(
  database: Queryable,
  list: { table: string },
  conditions: Conditions,
): Promise<boolean> {
  const result = await database.query(
    `SELECT 1 FROM ${list.table} ${conditions.where()} LIMIT 1`,
    conditions.parameters,
  );
  return result.rows.length > 0;
}

/**
 * One page of a keyset-paginated list: one query for the page (size + 1 rows tell whether more
 * follow), one cheap EXISTS when a cursor was given (whether rows lie on the other side).
 */
export async function fetchPage<Row extends Record<string, unknown>, Node>(
  database: Queryable,
  list: KeysetList<Row, Node>,
  filters: Conditions,
  args: ConnectionArguments,
): Promise<Connection<Node>> {
  const request = pageRequest(args);
  const cursorOf = (argument: 'after' | 'before', cursor: string) => {
    const values = decodeCursor(list.name, cursor, list.keys.length, argument);
    checkCursorValues(list.keys, values, argument, list.name);
    return values;
  };
  const after = request.after === undefined ? undefined : cursorOf('after', request.after);
  const before = request.before === undefined ? undefined : cursorOf('before', request.before);
  const page = filters.clone();
  if (after) compareToCursor(page, list.keys, '>', after);
  if (before) compareToCursor(page, list.keys, '<', before);
  const backward = request.direction === 'backward';
  const order = list.keys.map((key) => `${key.column} ${backward ? 'DESC' : 'ASC'}`).join(', ');
  const keyColumns = list.keys.map(keySelect).join(', ');
  const limit = page.parameter(request.size + 1);
  const result =
    request.size === 0
      ? { rows: [] as Row[] }
      : await database.query<Row>(
          `SELECT ${list.columns}, ${keyColumns} FROM ${list.table} ${page.where()} ` +
            `ORDER BY ${order} LIMIT ${limit}`,
          page.parameters,
        );
  const more = result.rows.length > request.size;
  const rows = result.rows.slice(0, request.size);
  if (backward) rows.reverse();
  const edges = rows.map((row) => ({
    cursor: encodeCursor(
      list.name,
      list.keys.map((_key, index) => String(row[`cursor_key_${index}`])),
    ),
    node: list.toNode(row),
  }));
  const otherSide = async (operator: '<=' | '>=', values: readonly string[] | undefined) => {
    if (!values) return false;
    const conditions = filters.clone();
    compareToCursor(conditions, list.keys, operator, values);
    return exists(database, list, conditions);
  };
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? await otherSide('>=', before) : more,
      hasPreviousPage: backward ? more : await otherSide('<=', after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: async () => {
      const counted = await database.query<{ count: bigint }>(
        `SELECT count(*) AS count FROM ${list.table} ${filters.where()}`,
        filters.parameters,
      );
      return Number(counted.rows[0]?.count ?? 0n);
    },
  };
}
