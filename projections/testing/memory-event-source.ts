import type {
  StoredEvent,
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../../infra/eventstore/event-store.ts';
import type { ProjectionEventSource } from '../core/event-source.ts';

/**
 * An in-memory `$all` with the gateway's semantics (exclusive subscription start, server-side
 * type filter with checkpoints, caught-up signal, then live), for the crash spec and the bench:
 * it isolates the projection pipeline from the event store's own speed.
 */
export class MemoryEventSource implements ProjectionEventSource {
  private readonly events: StoredEvent[] = [];
  private waiters: (() => void)[] = [];

  constructor(events: readonly StoredEvent[] = []) {
    this.append(events);
  }

  get size(): number {
    return this.events.length;
  }

  append(events: readonly StoredEvent[]): void {
    for (const event of events) {
      const last = this.events.at(-1);
      if (last !== undefined && event.position <= last.position) {
        throw new Error(`positions must increase: ${event.position} after ${last.position}`);
      }
      this.events.push(event);
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async headPosition(): Promise<bigint> {
    return this.events.at(-1)?.position ?? 0n;
  }

  async readAllPage(fromPosition: bigint | undefined, maxCount: number): Promise<StoredEvent[]> {
    const start = fromPosition === undefined ? 0 : this.indexAfter(fromPosition - 1n);
    return this.events.slice(start, start + maxCount);
  }

  /** Index of the first event with a position greater than `position`. */
  private indexAfter(position: bigint): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.events[middle]?.position ?? 0n) <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private matcher(options: SubscribeToAllOptions): (type: string) => boolean {
    if (options.eventTypeRegex !== undefined) {
      const pattern = new RegExp(options.eventTypeRegex);
      return (type) => pattern.test(type);
    }
    const prefixes = options.eventTypePrefixes;
    if (prefixes === undefined) return (type) => !type.startsWith('$');
    return (type) => prefixes.some((prefix) => type.startsWith(prefix));
  }

  async *subscribeToAll(options: SubscribeToAllOptions): AsyncGenerator<SubscriptionMessage> {
    const matches = this.matcher(options);
    const interval = Math.max(1, options.checkpointIntervalEvents ?? 1);
    let index = options.fromPosition === undefined ? 0 : this.indexAfter(options.fromPosition);
    let skipped = 0;
    let caughtUp = false;
    for (;;) {
      const event = this.events[index];
      if (event === undefined) {
        if (!caughtUp) yield { kind: 'caughtUp' };
        caughtUp = true;
        await new Promise<void>((wake) => this.waiters.push(wake));
        continue;
      }
      index += 1;
      // Let timers and I/O run now and then, as a network stream would.
      if (index % 1_000 === 0) await new Promise((resolveTurn) => setImmediate(resolveTurn));
      if (matches(event.type)) {
        yield { kind: 'event', event };
      } else if (++skipped % interval === 0) {
        yield { kind: 'checkpoint', position: event.position };
      }
    }
  }
}
