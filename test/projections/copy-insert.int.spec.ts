import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool, type PoolClient } from '../../infra/postgres/pool.ts';
import { insertRows, type ColumnSpec } from '../../projections/core/sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let pool: Pool;

const columns: readonly ColumnSpec[] = [
  { name: 'id', type: 'text' },
  { name: 'amount', type: 'bigint' },
  { name: 'note', type: 'text' },
  { name: 'at', type: 'timestamptz' },
  { name: 'doc', type: 'jsonb' },
  { name: 'revision', type: 'bigint' },
];

const upsert =
  'ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount, note = EXCLUDED.note, ' +
  'revision = EXCLUDED.revision WHERE copy_spec.revision < EXCLUDED.revision RETURNING id';

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, maxConnections: 2, applicationName: 'spec' });
  await pool.query(`CREATE TABLE copy_spec (id text PRIMARY KEY, amount bigint, note text,
    at timestamptz, doc jsonb, revision bigint NOT NULL)`);
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

async function inTransaction(work: (tx: PoolClient) => Promise<void>, commit = true) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
}

describe('insertRows (COPY into a stage table, then one INSERT … SELECT, one round trip)', () => {
  it('round-trips text COPY must escape, nulls, bigint beyond 2^53 and nested JSON', async () => {
    const awkward = 'tab\there\nnew line\r\\backslash \\N "quoted" ünïcødé 💸';
    await inTransaction(async (tx) => {
      await insertRows(tx, {
        table: 'copy_spec',
        columns,
        rows: [
          [
            'a',
            9_007_199_254_740_993n,
            awkward,
            '2025-01-01T00:00:00.000Z',
            { text: awkward, n: 1n },
            0n,
          ],
          ['b', null, null, null, null, 0n],
          ['c', -5n, '', new Date('2025-02-03T04:05:06.789Z'), JSON.stringify([1, 'x\ty']), 0n],
        ],
        onConflict: '',
      });
    });
    const { rows } = await pool.query('SELECT * FROM copy_spec ORDER BY id');
    expect(rows[0]).toMatchObject({ amount: 9_007_199_254_740_993n, note: awkward });
    expect(rows[0].doc).toEqual({ text: awkward, n: '1' });
    expect(rows[0].at.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(rows[1]).toMatchObject({ amount: null, note: null, at: null, doc: null });
    expect(rows[2]).toMatchObject({ amount: -5n, note: '' });
    expect(rows[2].doc).toEqual([1, 'x\ty']);
  });

  it('applies the conflict clause with RETURNING, twice in one transaction, after a rollback', async () => {
    // A rolled-back batch leaves nothing behind, in the table or in the session's stage.
    await inTransaction(async (tx) => {
      await insertRows(tx, {
        table: 'copy_spec',
        columns,
        rows: [['z', 1n, 'x', null, null, 9n]],
        onConflict: upsert,
      });
    }, false);
    let returned: { id: string }[] = [];
    await inTransaction(async (tx) => {
      returned = await insertRows<{ id: string }>(tx, {
        table: 'copy_spec',
        columns,
        rows: [
          ['a', 1n, 'older', null, null, 0n], // revision guard: not newer, not updated
          ['b', 2n, 'newer', null, null, 1n],
        ],
        onConflict: upsert,
      });
      const second = await insertRows<{ id: string }>(tx, {
        table: 'copy_spec',
        columns,
        rows: [['d', 4n, 'fresh', null, null, 0n]],
        onConflict: upsert,
      });
      expect(second.map((row) => row.id)).toEqual(['d']);
    });
    expect(returned.map((row) => row.id)).toEqual(['b']);
    const { rows } = await pool.query('SELECT id, note FROM copy_spec ORDER BY id');
    expect(rows.map((row) => `${row.id}:${row.note ?? ''}`)).toEqual([
      `a:${'tab\there\nnew line\r\\backslash \\N "quoted" ünïcødé 💸'}`,
      'b:newer',
      'c:',
      'd:fresh',
    ]);
  });

  it('rejects a batch the server refuses, and the connection stays usable', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const bad = insertRows(client, {
        table: 'copy_spec',
        columns,
        rows: [['e', 'not a number', null, null, null, 0n]],
        onConflict: '',
      });
      await expect(bad).rejects.toThrow(/bigint/);
      await client.query('ROLLBACK');
      const { rows } = await client.query('SELECT count(*)::int AS n FROM copy_spec');
      expect(rows[0].n).toBe(4);
    } finally {
      client.release();
    }
  });

  it('discards the data sent ahead when a statement before the COPY fails', async () => {
    // The COPY data follows the query without waiting for the server: if the stage cannot even
    // be created, the server must drop that data and the session must go on as before.
    const client = await pool.connect();
    try {
      const missing = insertRows(client, {
        table: 'no_such_table',
        columns,
        rows: Array.from({ length: 2_000 }, (_, index) => [`m${index}`, 1n, 'x', null, null, 0n]),
        onConflict: '',
      });
      await expect(missing).rejects.toThrow(/no_such_table/);
      const { rows } = await client.query('SELECT count(*)::int AS n FROM copy_spec');
      expect(rows[0].n).toBe(4);
    } finally {
      client.release();
    }
  });
});
