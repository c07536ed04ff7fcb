/**
 * The one module that talks to the official EventStoreDB client. Everything else uses these
 * types, so moving to the successor client (@kurrent/kurrentdb-client) is a change to this file.
 */
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';

export type JsonObject = { [key: string]: unknown };

export interface EventToAppend {
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface StoredEvent {
  id: string;
  stream: string;
  type: string;
  revision: bigint;
  /** Commit position in `$all`: the consistency token of the write that made it. */
  position: bigint;
  recordedAt: Date;
  data: JsonObject;
  metadata: JsonObject;
}

export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

export interface AppendResult {
  nextRevision: bigint;
  position: bigint;
}

/** The stream was not at the expected revision: reload and decide again. */
export class StreamConflictError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream} is at ${String(actual)}, expected ${String(expected)}`);
    this.name = 'StreamConflictError';
  }
}

/** The event store did not answer in time or is unreachable: safe to retry later. */
export class EventStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`event store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EventStoreUnavailableError';
  }
}

export type SubscriptionMessage =
  | { kind: 'event'; event: StoredEvent }
  | { kind: 'checkpoint'; position: bigint }
  | { kind: 'caughtUp' };

export interface SubscribeToAllOptions {
  /** Exclusive: events after this position. undefined = from the start. */
  fromPosition?: bigint;
  eventTypePrefixes?: readonly string[];
  eventTypeRegex?: string;
  /** How many filtered-out events may pass before the server sends a checkpoint. */
  checkpointIntervalEvents?: number;
}

function toExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return expected;
}

function asJsonObject(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}

function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson) return undefined;
  return {
    id: event.id,
    stream: event.streamId,
    type: event.type,
    revision: event.revision,
    position: event.position?.commit ?? resolved.commitPosition ?? 0n,
    recordedAt: new Date(event.created),
    data: asJsonObject(event.data),
    metadata: asJsonObject(event.metadata),
  };
}

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /unavailable|deadline|timeout|ECONNREFUSED|cancelled|UNAVAILABLE/i.test(
    `${error.name} ${error.message}`,
  );
}

/**
 * Deadlines of single calls. Without one the client waits forever on a store that accepted the
 * connection but does not answer (stopped, partitioned), and a command would hang with it: the
 * write path reads the stream and appends, so both are bounded, well below what a client waits.
 */
export const appendDeadlineMsDefault = 5_000;
export const readStreamDeadlineMsDefault = 5_000;
/** Pages of `$all` feed rebuilds and verification, not commands: a longer bound. */
export const readAllDeadlineMsDefault = 30_000;

/**
 * Races a call against its deadline on our side. The client's own `deadline` is not enough: a
 * batch append shares one gRPC stream and leaves the deadline to the server, so a server that
 * stopped answering holds the call until the connection drops (about 20 s). The outcome of a
 * timed-out append is unknown, which is why commands carry idempotency keys.
 */
async function withDeadline<Value>(
  work: Promise<Value>,
  deadlineMs: number,
  what: string,
  onTimeout: () => void = () => undefined,
): Promise<Value> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(
        new EventStoreUnavailableError(new Error(`${what}: deadline of ${deadlineMs} ms exceeded`)),
      );
    }, deadlineMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Gives up a read before its end (deadline). Destroying the client's stream alone is not enough:
 * it only unpipes the gRPC call, which then keeps its buffered answer and stays registered in the
 * client until the connection closes, one leaked call per abandoned read. Cancelling ends it.
 */
function abandon(reader: StreamingRead<unknown>): void {
  reader.cancel().catch(() => undefined);
  reader.destroy();
}

const metadataEncoder = new TextEncoder();

export class EventStore {
  private constructor(private readonly client: EventStoreDBClient) {}

  /**
   * Calls the client still tracks (reads, subscriptions, the append stream): flat over time
   * unless calls leak. Read from the client's own bookkeeping, for tests and diagnostics.
   */
  openCallCount(): number {
    const tracked = (this.client as unknown as { disposableStreams?: Set<unknown> })
      .disposableStreams;
    return tracked?.size ?? -1;
  }

  static connect(connectionString: string): EventStore {
    return new EventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async append(
    stream: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    deadlineMs = appendDeadlineMsDefault,
  ): Promise<AppendResult> {
    try {
      const appending = this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({
            id: event.id,
            type: event.type,
            data: event.data,
            // The same UTF-8 JSON bytes the client would send for an object, handed over as
            // bytes: for an object it base64-encodes the JSON and its protobuf library decodes
            // that again character by character, a fifth of an append's CPU (data, with its
            // application/json content type, cannot be given as bytes). A plain Uint8Array, not
            // a Buffer: the client copies a Buffer into one element by element.
            metadata: metadataEncoder.encode(JSON.stringify(event.metadata)),
          }),
        ),
        { expectedRevision: toExpected(expected), deadline: deadlineMs },
      );
      // A late failure of an append given up on must not become an unhandled rejection.
      appending.catch(() => undefined);
      const result = await withDeadline(appending, deadlineMs, `append to ${stream}`);
      return { nextRevision: result.nextExpectedRevision, position: result.position?.commit ?? 0n };
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) throw error;
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new StreamConflictError(
          stream,
          expected,
          typeof actual === 'bigint' ? actual : 'no_stream',
        );
      }
      if (isUnavailable(error)) throw new EventStoreUnavailableError(error);
      throw error;
    }
  }

  /** All events of a stream in order, or undefined when the stream does not exist. */
  async readStream(
    stream: string,
    options: { maxCount?: number; backwards?: boolean; deadlineMs?: number } = {},
  ): Promise<StoredEvent[] | undefined> {
    const events: StoredEvent[] = [];
    const deadlineMs = options.deadlineMs ?? readStreamDeadlineMsDefault;
    try {
      const reader = this.client.readStream(stream, {
        direction: options.backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.backwards ? END : START,
        deadline: deadlineMs,
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      const reading = (async () => {
        for await (const resolved of reader) {
          const event = toStoredEvent(resolved);
          if (event) events.push(event);
        }
        return events;
      })();
      reading.catch(() => undefined);
      return await withDeadline(reading, deadlineMs, `read of ${stream}`, () => abandon(reader));
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) throw error;
      if (error instanceof StreamNotFoundError) return undefined;
      if (isUnavailable(error)) throw new EventStoreUnavailableError(error);
      throw error;
    }
  }

  /** A page of `$all` from a position (inclusive), forwards; system events excluded. */
  async readAllPage(
    fromPosition: bigint | undefined,
    maxCount: number,
    deadlineMs = readAllDeadlineMsDefault,
  ): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      const reader = this.client.readAll({
        direction: FORWARDS,
        fromPosition:
          fromPosition === undefined ? START : { commit: fromPosition, prepare: fromPosition },
        maxCount,
        deadline: deadlineMs,
      });
      const reading = (async () => {
        for await (const resolved of reader) {
          const event = toStoredEvent(resolved);
          if (event && !event.type.startsWith('$') && !event.stream.startsWith('$')) {
            events.push(event);
          }
        }
        return events;
      })();
      reading.catch(() => undefined);
      return await withDeadline(reading, deadlineMs, 'read of $all', () => abandon(reader));
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) throw error;
      if (isUnavailable(error)) throw new EventStoreUnavailableError(error);
      throw error;
    }
  }

  /** The commit position of the newest event in `$all` (0 when empty). */
  async headPosition(deadlineMs = readStreamDeadlineMsDefault): Promise<bigint> {
    try {
      const reader = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        deadline: deadlineMs,
      });
      // Read to the end (one event at most), never `return` from inside the loop: leaving early
      // abandons the gRPC call half-read, and the client keeps it (see abandon()).
      const reading = (async () => {
        let head = 0n;
        for await (const resolved of reader) {
          head = resolved.event?.position?.commit ?? resolved.commitPosition ?? 0n;
        }
        return head;
      })();
      reading.catch(() => undefined);
      return await withDeadline(reading, deadlineMs, 'read of the head', () => abandon(reader));
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) throw error;
      if (isUnavailable(error)) throw new EventStoreUnavailableError(error);
      throw error;
    }
  }

  /**
   * A catch-up subscription to `$all`, consumed with `for await` so that handlers never overlap.
   * The client's stream is paused while `queueLimit` messages wait, so memory stays bounded.
   * The caller breaks out of the loop to stop it.
   */
  async *subscribeToAll(options: SubscribeToAllOptions): AsyncGenerator<SubscriptionMessage> {
    const queueLimit = 2_000;
    const checkpointInterval = options.checkpointIntervalEvents ?? 1;
    const queue: SubscriptionMessage[] = [];
    let wake: (() => void) | undefined;
    let failure: unknown;
    let ended = false;
    const notify = (): void => {
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    const push = (message: SubscriptionMessage): void => {
      queue.push(message);
      notify();
    };
    const filter =
      options.eventTypeRegex !== undefined
        ? eventTypeFilter({ regex: options.eventTypeRegex, checkpointInterval })
        : options.eventTypePrefixes !== undefined
          ? eventTypeFilter({ prefixes: [...options.eventTypePrefixes], checkpointInterval })
          : undefined;
    if (filter) {
      filter.checkpointReached = (_subscription, position) => {
        push({ kind: 'checkpoint', position: position.commit });
      };
    }
    const subscription = this.client.subscribeToAll({
      fromPosition:
        options.fromPosition === undefined
          ? START
          : { commit: options.fromPosition, prepare: options.fromPosition },
      ...(filter ? { filter } : {}),
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      const event = toStoredEvent(resolved);
      if (event) push({ kind: 'event', event });
      if (queue.length >= queueLimit) subscription.pause();
    });
    subscription.on('caughtUp', () => push({ kind: 'caughtUp' }));
    subscription.on('error', (error: unknown) => {
      failure = isUnavailable(error) ? new EventStoreUnavailableError(error) : error;
      notify();
    });
    subscription.on('end', () => {
      ended = true;
      notify();
    });
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          if (queue.length < queueLimit / 2 && subscription.isPaused()) subscription.resume();
          yield next;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (ended) return;
        await new Promise<void>((resolveWait) => {
          wake = resolveWait;
        });
      }
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  /**
   * Keeps only the newest `maxCount` events of a stream readable (`$maxCount` metadata), for
   * streams where only the latest event matters. Written only when it differs, so calling it at
   * every start does not grow the metadata stream.
   */
  async limitStreamLength(
    stream: string,
    maxCount: number,
    deadlineMs = appendDeadlineMsDefault,
  ): Promise<void> {
    try {
      const current = await withDeadline(
        this.client.getStreamMetadata(stream, { deadline: deadlineMs }),
        deadlineMs,
        `metadata of ${stream}`,
      );
      if (current.metadata?.maxCount === maxCount) return;
      const writing = this.client.setStreamMetadata(
        stream,
        { ...current.metadata, maxCount },
        { deadline: deadlineMs },
      );
      writing.catch(() => undefined);
      await withDeadline(writing, deadlineMs, `metadata of ${stream}`);
    } catch (error) {
      if (error instanceof EventStoreUnavailableError) throw error;
      if (isUnavailable(error)) throw new EventStoreUnavailableError(error);
      throw error;
    }
  }

  /** Cheap round trip for readiness: reads one event of `$all`. */
  async ping(): Promise<void> {
    try {
      await this.headPosition();
    } catch (error) {
      throw new EventStoreUnavailableError(error);
    }
  }

  /** Disposes the client; bounded, because a half-cancelled call can keep dispose waiting. */
  async close(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.dispose().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
