import type { StoredEvent, SubscriptionMessage } from '../../infra/eventstore/event-store.ts';

export interface Batch {
  /** Events the projection handles, in `$all` order. */
  events: StoredEvent[];
  /** The furthest position seen (events and server checkpoints); undefined if none. */
  endPosition: bigint | undefined;
  /** The subscription reported it reached the head of `$all`. */
  caughtUp: boolean;
}

export interface BatchOptions {
  /** Events per batch once the subscription has caught up (live: small, low latency). */
  batchSize: number;
  /**
   * Events per batch until the subscription first reports it caught up: larger, so a catch-up
   * pays the per-transaction costs (round trips, commit, checkpoint row) less often. Default:
   * `batchSize`.
   */
  catchUpBatchSize?: number;
  flushIntervalMs: number;
  accept(event: StoredEvent): boolean;
}

const timedOut = Symbol('timedOut');

function delay(ms: number): { promise: Promise<typeof timedOut>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof timedOut>((resolveDelay) => {
    timer = setTimeout(() => resolveDelay(timedOut), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function emptyBatch(): Batch {
  return { events: [], endPosition: undefined, caughtUp: false };
}

function hasContent(batch: Batch): boolean {
  return batch.events.length > 0 || batch.endPosition !== undefined || batch.caughtUp;
}

function add(batch: Batch, message: SubscriptionMessage, accept: BatchOptions['accept']): void {
  if (message.kind === 'caughtUp') {
    batch.caughtUp = true;
    return;
  }
  const position = message.kind === 'event' ? message.event.position : message.position;
  if (batch.endPosition === undefined || position > batch.endPosition) batch.endPosition = position;
  if (message.kind === 'event' && accept(message.event)) batch.events.push(message.event);
}

/**
 * Groups subscription messages into bounded batches: a batch is yielded when it is full, when
 * `flushIntervalMs` passed since its first message, or when the subscription caught up. While
 * nothing arrives, an empty batch is yielded every `flushIntervalMs`, so the consumer's
 * `for await` loop can notice a stop request or do idle work. The source is read one message at
 * a time, so at most `catchUpBatchSize` (then `batchSize`) events wait here.
 */
export async function* batchesOf(
  source: AsyncIterator<SubscriptionMessage>,
  options: BatchOptions,
): AsyncGenerator<Batch> {
  let pending: Promise<IteratorResult<SubscriptionMessage>> | undefined;
  let batch = emptyBatch();
  // One timer per batch, not per message: during a catch-up messages arrive back to back.
  let timer = delay(options.flushIntervalMs);
  let limit = options.catchUpBatchSize ?? options.batchSize;
  try {
    for (;;) {
      pending ??= source.next();
      const result = await Promise.race([pending, timer.promise]);
      if (result === timedOut) {
        yield batch;
        batch = emptyBatch();
        timer = delay(options.flushIntervalMs);
        continue;
      }
      pending = undefined;
      if (result.done) break;
      if (!hasContent(batch)) {
        // The flush interval counts from a batch's first message.
        timer.cancel();
        timer = delay(options.flushIntervalMs);
      }
      add(batch, result.value, options.accept);
      if (batch.caughtUp) limit = options.batchSize;
      if (batch.events.length >= limit || batch.caughtUp) {
        yield batch;
        batch = emptyBatch();
        timer.cancel();
        timer = delay(options.flushIntervalMs);
      }
    }
    if (hasContent(batch)) yield batch;
  } finally {
    timer.cancel();
    // Not awaited: the gateway's generator finishes its pending read first, then unsubscribes.
    void source.return?.(undefined)?.catch(() => undefined);
  }
}
