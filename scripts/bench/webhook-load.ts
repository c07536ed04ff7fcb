/**
 * Load for the webhook scenario: a light keep-alive HTTP client, a closed-loop burst (N requests
 * in flight), an open-loop steady sender (a fixed offered rate, whatever the answers take), and a
 * watcher that sees when the payments read model shows each callback's outcome.
 */
import { Agent, request } from 'node:http';
import type { Pool } from '../../infra/postgres/pool.ts';

export type Post = (path: string, body: string, headers: Record<string, string>) => Promise<number>;

/** fetch costs several times more CPU per request; this client keeps the load generator light. */
export function poster(url: string, socketsMax: number): Post {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: socketsMax });
  return (path, body, headers) =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: hostname,
          port,
          path,
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
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
 * Polls the payments read model every `intervalMs` for the rows still awaited, and returns, by
 * index, the performance.now() at which each expectation was first seen met. The poll interval
 * bounds how late a sighting can be (reported with the figures). The rows are queried only when
 * the payments projection's checkpoint moved (rows change in the transaction that moves it, so
 * no sighting is missed): a query for thousands of ids on every poll would take CPU from the
 * service it measures, on the same two cores, while a burst holds the projections back.
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
  let checked = false;
  let lastPosition: bigint | null = null;
  while (waiting.size > 0) {
    if (performance.now() > deadline) {
      throw new Error(`${waiting.size} payments did not show their callbacks in time`);
    }
    const moved = await pool.query<{ position: bigint | null }>(
      "SELECT max(position) AS position FROM projection_checkpoints WHERE projection_name = 'payments'",
    );
    const position = moved.rows[0]?.position ?? null;
    if (checked && position === lastPosition) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      continue;
    }
    checked = true;
    lastPosition = position;
    const ids = [...waiting.keys()];
    const { rows } = await pool.query<{
      payment_id: string;
      authorized_amount: bigint;
      captured_amount: bigint;
    }>(
      'SELECT payment_id, authorized_amount, captured_amount FROM payments ' +
        'WHERE payment_id = ANY($1::text[])',
      [ids],
    );
    const now = performance.now();
    for (const row of rows) {
      const indexes = waiting.get(row.payment_id) ?? [];
      const left = indexes.filter((index) => {
        const expectation = expectations[index]!;
        if (row[expectation.column] < expectation.amount) return true;
        seenAtMs[index] = now;
        return false;
      });
      if (left.length === 0) waiting.delete(row.payment_id);
      else waiting.set(row.payment_id, left);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return seenAtMs;
}
