import type {
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../../infra/eventstore/event-store.ts';
import type { BackgroundGate } from '../../infra/runtime/background-gate.ts';
import type { ProjectionEventSource } from '../core/event-source.ts';

export interface SharedFeedOptions {
  /** Messages kept for the slowest subscriber; the shared read waits beyond it. */
  bufferMessagesMax: number;
  /** A subscriber that holds the shared read back this long is detached. */
  stallTimeoutMs: number;
  /** Filtered-out events a subscriber may pass before it is told the position. */
  checkpointIntervalEvents: number;
  /** The read pauses while it is closed (foreground work goes first). */
  gate?: BackgroundGate;
}

/** The shared read moved on without this subscriber (it held the others back): resubscribe. */
export class SubscriptionDetachedError extends Error {
  override readonly name = 'SubscriptionDetachedError';
  constructor(stallTimeoutMs: number) {
    super(`detached from the shared read of $all after holding it back ${stallTimeoutMs} ms`);
  }
}

interface Subscriber {
  /** Exclusive start: messages at or before it are not delivered. */
  readonly from: bigint | undefined;
  readonly prefixes: readonly string[];
  /** Absolute index of the next message in the feed's log. */
  cursor: number;
  detached: boolean;
}

function positionOf(message: SubscriptionMessage): bigint | undefined {
  if (message.kind === 'event') return message.event.position;
  if (message.kind === 'checkpoint') return message.position;
  return undefined;
}

function isAfter(position: bigint, from: bigint | undefined): boolean {
  return from === undefined || position > from;
}

/** How often a paused read looks at the gate again. */
const gatePollMs = 10;

function pause(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}

function signal(): { promise: Promise<void>; fire(): void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((resolveSignal) => {
    fire = resolveSignal;
  });
  return { promise, fire };
}

/**
 * One subscription to `$all` whose messages several subscribers read, each from its own
 * position and through its own type filter, in order, none skipped: each event is read from the
 * store and decoded once, not once per projection. Memory is bounded: the read waits while the
 * slowest subscriber is `bufferMessagesMax` behind, and a subscriber that holds it back longer
 * than `stallTimeoutMs` is detached (it gets SubscriptionDetachedError and resubscribes), so one
 * stuck projection never stops the others for long. The feed ends when its last subscriber leaves.
 */
export class SharedFeed {
  private readonly log: SubscriptionMessage[] = [];
  /** Absolute index of log[0]. */
  private base = 0;
  /** Everything up to this position was dropped from the log (undefined: nothing yet). */
  private floor: bigint | undefined;
  private readonly subscribers = new Set<Subscriber>();
  private arrival = signal();
  private space: ReturnType<typeof signal> | undefined;
  /** The read goes on once the slowest subscriber reaches this absolute index. */
  private spaceAt = 0;
  private caughtUp = false;
  private failure: unknown;
  private finished = false;

  constructor(
    private readonly upstream: ProjectionEventSource,
    private readonly start: bigint | undefined,
    private readonly prefixes: readonly string[],
    private readonly options: SharedFeedOptions,
  ) {
    this.floor = start;
  }

  /** Ended, failed, or left by every subscriber: it serves no one any more. */
  get closed(): boolean {
    return this.finished || this.failure !== undefined;
  }

  /** Whether a subscriber starting after `from` with these types can read from this feed. */
  canServe(from: bigint | undefined, prefixes: readonly string[]): boolean {
    if (this.closed) return false;
    if (!prefixes.every((prefix) => this.prefixes.includes(prefix))) return false;
    if (this.floor === undefined) return true;
    return from !== undefined && from >= this.floor;
  }

  /** Starts the shared read; subscribers added before it start with it. */
  run(): void {
    void this.pump();
  }

  subscribe(options: SubscribeToAllOptions): AsyncGenerator<SubscriptionMessage> {
    const from = options.fromPosition;
    let cursor = this.base;
    while (cursor - this.base < this.log.length) {
      const position = positionOf(this.log[cursor - this.base] as SubscriptionMessage);
      if (position !== undefined && isAfter(position, from)) break;
      cursor += 1;
    }
    const subscriber: Subscriber = {
      from,
      prefixes: options.eventTypePrefixes ?? [],
      cursor,
      detached: false,
    };
    this.subscribers.add(subscriber);
    return this.deliver(subscriber, options.checkpointIntervalEvents ?? 1);
  }

  private matches(subscriber: Subscriber, type: string): boolean {
    return subscriber.prefixes.some((prefix) => type.startsWith(prefix));
  }

  /** A subscriber's messages: its events, and positions it passes, as the server would send. */
  private async *deliver(
    subscriber: Subscriber,
    checkpointInterval: number,
  ): AsyncGenerator<SubscriptionMessage> {
    let passed: bigint | undefined;
    let passedCount = 0;
    let caughtUpSent = false;
    try {
      for (;;) {
        if (subscriber.detached) throw new SubscriptionDetachedError(this.options.stallTimeoutMs);
        const message = this.log[subscriber.cursor - this.base];
        if (message !== undefined) {
          subscriber.cursor += 1;
          if (this.space !== undefined && subscriber.cursor === this.spaceAt) this.space.fire();
          const position = positionOf(message);
          if (position === undefined) {
            if (!caughtUpSent) yield message;
            caughtUpSent = true;
          } else if (!isAfter(position, subscriber.from)) {
            continue;
          } else if (message.kind === 'event' && this.matches(subscriber, message.event.type)) {
            passedCount = 0;
            yield message;
          } else {
            passed = position;
            passedCount += 1;
            if (passedCount >= checkpointInterval || message.kind === 'checkpoint') {
              passedCount = 0;
              yield { kind: 'checkpoint', position };
            }
          }
          continue;
        }
        if (passedCount > 0 && passed !== undefined) {
          passedCount = 0;
          yield { kind: 'checkpoint', position: passed };
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.finished) return;
        if (this.caughtUp && !caughtUpSent) {
          caughtUpSent = true;
          yield { kind: 'caughtUp' };
          continue;
        }
        await this.arrival.promise;
      }
    } finally {
      this.leave(subscriber);
    }
  }

  private leave(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    this.space?.fire();
    if (this.subscribers.size === 0) this.finished = true;
  }

  private wakeSubscribers(): void {
    const arrived = this.arrival;
    this.arrival = signal();
    arrived.fire();
  }

  private slowestCursor(): number {
    let slowest = this.base + this.log.length;
    for (const subscriber of this.subscribers) slowest = Math.min(slowest, subscriber.cursor);
    return slowest;
  }

  /** Drops what every subscriber has read; the floor moves to the last position dropped. */
  private trim(drop: number): void {
    for (let index = drop - 1; index >= 0; index -= 1) {
      const position = positionOf(this.log[index] as SubscriptionMessage);
      if (position !== undefined) {
        this.floor = position;
        break;
      }
    }
    this.log.splice(0, drop);
    this.base += drop;
  }

  /**
   * Waits until the slowest subscriber has read a quarter of the log, then drops that part (in
   * one go: trimming message by message would copy the log each time). A subscriber that holds
   * the read back longer than the stall limit is detached.
   */
  private async makeRoom(): Promise<void> {
    const limit = this.options.bufferMessagesMax;
    const dropMin = Math.max(1, Math.floor(limit / 4));
    for (let round = 0; !this.finished && this.log.length >= limit; round += 1) {
      const slowest = this.slowestCursor();
      if (slowest - this.base >= dropMin) {
        this.trim(slowest - this.base);
        continue;
      }
      this.spaceAt = this.base + dropMin;
      this.space = signal();
      let timer: NodeJS.Timeout | undefined;
      const stalled = await Promise.race([
        this.space.promise.then(() => false),
        new Promise<boolean>((resolveStall) => {
          timer = setTimeout(() => resolveStall(true), this.options.stallTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      this.space = undefined;
      if (stalled && this.slowestCursor() === slowest) this.detachSlowest(slowest);
    }
  }

  private detachSlowest(slowest: number): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.cursor !== slowest) continue;
      subscriber.detached = true;
      this.subscribers.delete(subscriber);
    }
    if (this.subscribers.size === 0) this.finished = true;
    this.wakeSubscribers();
  }

  /**
   * Reads `$all` into the log. While the gate is closed the subscription is closed too (a paused
   * one would still be sent, received and decoded), and it resumes after the last position read.
   */
  private async pump(): Promise<void> {
    let from = this.start;
    try {
      for (;;) {
        const { paused, last } = await this.readUpstream(from);
        from = last;
        if (!paused || this.finished) break;
        // Looks again now and then, so that a feed its last subscriber left ends promptly.
        while (this.options.gate?.open() === false && !this.finished) await pause(gatePollMs);
        if (this.finished) break;
      }
    } catch (error) {
      this.failure = error;
    } finally {
      this.finished = true;
      this.wakeSubscribers();
    }
  }

  private async readUpstream(
    from: bigint | undefined,
  ): Promise<{ paused: boolean; last: bigint | undefined }> {
    const source = this.upstream.subscribeToAll({
      ...(from === undefined ? {} : { fromPosition: from }),
      eventTypePrefixes: this.prefixes,
      checkpointIntervalEvents: this.options.checkpointIntervalEvents,
    });
    const gate = this.options.gate;
    let last = from;
    for await (const message of source) {
      if (this.finished) break;
      this.log.push(message);
      last = positionOf(message) ?? last;
      if (message.kind === 'caughtUp') this.caughtUp = true;
      this.wakeSubscribers();
      if (this.log.length >= this.options.bufferMessagesMax) await this.makeRoom();
      if (this.finished) break;
      if (gate !== undefined && !gate.open()) return { paused: true, last };
    }
    return { paused: false, last };
  }
}
