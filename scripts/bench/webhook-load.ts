/**
 * Load for the webhook scenario: a light keep-alive HTTP client, a closed-loop burst (N requests
 * in flight), an open-loop steady sender (a fixed offered rate, whatever the answers take), and a
 * watcher that sees when the payments read model shows each callback's outcome.
 */
import { connect, type Socket } from 'node:net';
import type { Pool } from '../../infra/postgres/pool.ts';

export type Post = (path: string, body: string, headers: Record<string, string>) => Promise<number>;

interface Connection {
  socket: Socket;
  received: Buffer;
  answered?: (status: number) => void;
  failed?: (error: Error) => void;
}

/** Status and length of the answer at the start of `received`, once it is all there. */
function completeAnswer(received: Buffer): { status: number; length: number } | undefined {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = received.toString('latin1', 0, headEnd);
  const declared = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (declared === null) throw new Error(`an answer without Content-Length: ${head}`);
  const length = headEnd + 4 + Number(declared[1]);
  if (received.length < length) return undefined;
  return { status: Number(head.slice(9, 12)), length };
}

/**
 * A load generator as light as wrk's: HTTP/1.1 written straight to `socketsMax` keep-alive
 * sockets, one request at a time on each (as a provider's pool of connections sends), answers
 * read by status and Content-Length. It shares the service's two cores, so every microsecond
 * it spends is taken from what it measures (node:http's client costs about three times more
 * per request). Make one per phase: a socket idle past the server's keep-alive timeout closes,
 * and a request caught by that close fails loudly rather than being retried.
 */
export function poster(url: string, socketsMax: number): Post {
  const { hostname, port } = new URL(url);
  const idle: Connection[] = [];
  const queued: ((connection: Connection) => void)[] = [];
  let opened = 0;
  const release = (connection: Connection) => {
    const next = queued.shift();
    if (next === undefined) idle.push(connection);
    else next(connection);
  };
  const open = (): Connection => {
    opened += 1;
    const connection: Connection = { socket: connect(Number(port), hostname), received: Buffer.alloc(0) };
    connection.socket.setNoDelay(true);
    connection.socket.on('data', (chunk: Buffer) => {
      connection.received =
        connection.received.length === 0 ? chunk : Buffer.concat([connection.received, chunk]);
      const answer = completeAnswer(connection.received);
      if (answer === undefined) return;
      connection.received = connection.received.subarray(answer.length);
      const answered = connection.answered;
      connection.answered = connection.failed = undefined;
      release(connection);
      answered?.(answer.status);
    });
    const fail = (error: Error) => {
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      const failed = connection.failed;
      connection.answered = connection.failed = undefined;
      failed?.(error);
    };
    connection.socket.on('error', fail);
    connection.socket.on('close', () => {
      opened -= 1;
      fail(new Error('the connection closed before the answer'));
    });
    return connection;
  };
  const acquire = (): Promise<Connection> => {
    const free = idle.pop();
    if (free !== undefined) return Promise.resolve(free);
    if (opened < socketsMax) return Promise.resolve(open());
    return new Promise((resolve) => queued.push(resolve));
  };
  const authority = `${hostname}:${port}`;
  return async (path, body, headers) => {
    let text = `POST ${path} HTTP/1.1\r\nhost: ${authority}\r\n`;
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
    text += `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const connection = await acquire();
    return new Promise<number>((resolve, reject) => {
      connection.answered = resolve;
      connection.failed = reject;
      connection.socket.write(text);
    });
  };
}

export async function pooled<Item>(
  items: readonly Item[],
  limit: number,
  work: (item: Item, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

export interface SendResult {
  /** performance.now() when each item's 2xx arrived, by index. */
  ackedAtMs: number[];
  ackLatenciesMs: number[];
  elapsedMs: number;
  /** Items sent later than their schedule because `inFlightMax` answers were outstanding. */
  late: number;
}

/** Sends every item at `ratePerSecond` from now on (open loop), at most `inFlightMax` at once. */
export async function sendAtRate<Item>(
  items: readonly Item[],
  ratePerSecond: number,
  inFlightMax: number,
  send: (item: Item) => Promise<void>,
): Promise<SendResult> {
  const ackedAtMs: number[] = [];
  const ackLatenciesMs: number[] = [];
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  let late = 0;
  for (let index = 0; index < items.length; index += 1) {
    const dueMs = started + (index * 1000) / ratePerSecond;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (pending.size >= inFlightMax) {
      late += 1;
      await Promise.race(pending);
    }
    const begin = performance.now();
    const sending = send(items[index]!).then(() => {
      const acked = performance.now();
      ackedAtMs[index] = acked;
      ackLatenciesMs.push(acked - begin);
      pending.delete(sending);
    });
    pending.add(sending);
  }
  await Promise.all(pending);
  return { ackedAtMs, ackLatenciesMs, elapsedMs: performance.now() - started, late };
}

/** What a callback must make the payment row show. */
export interface Expectation {
  paymentId: string;
  column: 'authorized_amount' | 'captured_amount';
  amount: bigint;
}

/**
 * Polls the payments read model every `intervalMs` and returns, by index, the performance.now()
 * at which each expectation was first seen met. The poll interval bounds how late a sighting can
 * be (reported with the figures). It reads only what changed: the payments projection's
 * checkpoint first, and when it moved, the rows whose last applied event lies after the
 * checkpoint seen at the previous look (rows change in the transaction that moves the
 * checkpoint, so none is missed; one changed meanwhile is merely seen twice). A query for
 * thousands of ids on every move would take CPU from the service it measures, on the same two
 * cores.
 */
export async function watchReadModel(
  pool: Pool,
  expectations: readonly Expectation[],
  intervalMs: number,
  timeoutMs: number,
): Promise<number[]> {
  const seenAtMs: number[] = [];
  const waiting = new Map<string, number[]>();
  expectations.forEach((expectation, index) => {
    waiting.set(expectation.paymentId, [...(waiting.get(expectation.paymentId) ?? []), index]);
  });
  const deadline = performance.now() + timeoutMs;
  const sight = (rows: readonly WatchedRow[]) => {
    const now = performance.now();
    for (const row of rows) {
      const indexes = waiting.get(row.payment_id);
      if (indexes === undefined) continue;
      const left = indexes.filter((index) => {
        const expectation = expectations[index]!;
        if (row[expectation.column] < expectation.amount) return true;
        seenAtMs[index] = now;
        return false;
      });
      if (left.length === 0) waiting.delete(row.payment_id);
      else waiting.set(row.payment_id, left);
    }
  };
  // The first look covers everything up to the checkpoint it starts from.
  let since = await paymentsCheckpoint(pool);
  sight(
    (
      await pool.query<WatchedRow>(
        `SELECT ${watchedColumns} FROM payments WHERE payment_id = ANY($1::text[])`,
        [[...waiting.keys()]],
      )
    ).rows,
  );
  while (waiting.size > 0) {
    if (performance.now() > deadline) {
      throw new Error(`${waiting.size} payments did not show their callbacks in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const position = await paymentsCheckpoint(pool);
    if (position === since) continue;
    const { rows } = await pool.query<WatchedRow>(
      `SELECT ${watchedColumns} FROM payments WHERE last_position > $1`,
      [since ?? -1n],
    );
    since = position;
    sight(rows);
  }
  return seenAtMs;
}

interface WatchedRow {
  payment_id: string;
  authorized_amount: bigint;
  captured_amount: bigint;
}

const watchedColumns = 'payment_id, authorized_amount, captured_amount';

async function paymentsCheckpoint(pool: Pool): Promise<bigint | null> {
  const { rows } = await pool.query<{ position: bigint | null }>(
    "SELECT max(position) AS position FROM projection_checkpoints WHERE projection_name = 'payments'",
  );
  return rows[0]?.position ?? null;
}
