import type {
  StoredEvent,
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../../infra/eventstore/event-store.ts';
import type { ProjectionEventSource } from '../core/event-source.ts';
import { SharedFeed, type SharedFeedOptions } from './shared-feed.ts';

export interface SharedSourceOptions extends SharedFeedOptions {
  /** Subscribers expected together (the runners of a process): the read waits for them... */
  expectedSubscribers: number;
  /** ...at most this long. */
  gatherMs: number;
  /**
   * A subscriber further than this many events behind the most advanced one reads on its own, so
   * that a projection starting over never holds the others back while it catches up.
   */
  shareWindowEvents: number;
}

type Subscription = AsyncGenerator<SubscriptionMessage>;

interface Member {
  options: SubscribeToAllOptions;
  resolve(subscription: Subscription | undefined): void;
}

/** Position order, undefined (the start of `$all`) first. */
function isBefore(left: bigint | undefined, right: bigint | undefined): boolean {
  if (left === undefined) return right !== undefined;
  return right !== undefined && left < right;
}

function lowestStart(members: readonly Member[]): bigint | undefined {
  return members.reduce<bigint | undefined>(
    (lowest, member) =>
      isBefore(member.options.fromPosition, lowest) ? member.options.fromPosition : lowest,
    members[0]?.options.fromPosition,
  );
}

function prefixesOf(members: readonly Member[]): string[] {
  return [...new Set(members.flatMap((member) => member.options.eventTypePrefixes ?? []))];
}

/**
 * The projections' event source with one shared `$all` subscription: subscribers that start
 * together (and near each other) read one feed, so each event is read, sent and decoded once;
 * any other subscriber (late, far behind, or filtered by a pattern) gets a subscription of its
 * own from the store, exactly as without sharing. Each subscriber still sees every message after
 * its own position, in order, and positions only move forward.
 */
export class SharedEventSource implements ProjectionEventSource {
  private feed: SharedFeed | undefined;
  private members: Member[] | undefined;
  private closeGathering: (() => void) | undefined;

  constructor(
    private readonly upstream: ProjectionEventSource,
    private readonly options: SharedSourceOptions,
  ) {}

  headPosition(): Promise<bigint> {
    return this.upstream.headPosition();
  }

  readAllPage(fromPosition: bigint | undefined, maxCount: number): Promise<StoredEvent[]> {
    return this.upstream.readAllPage(fromPosition, maxCount);
  }

  async *subscribeToAll(options: SubscribeToAllOptions): AsyncGenerator<SubscriptionMessage> {
    const shared = await this.sharedSubscription(options);
    yield* shared ?? this.upstream.subscribeToAll(options);
  }

  /** A subscription on the shared feed, or undefined when this subscriber reads on its own. */
  private async sharedSubscription(
    options: SubscribeToAllOptions,
  ): Promise<Subscription | undefined> {
    const prefixes = options.eventTypePrefixes;
    if (options.eventTypeRegex !== undefined || prefixes === undefined) return undefined;
    const feed = this.feed;
    if (feed !== undefined && feed.canServe(options.fromPosition, prefixes)) {
      return feed.subscribe(options);
    }
    if (feed !== undefined && !feed.closed) return undefined;
    return new Promise<Subscription | undefined>((resolve) => {
      if (this.members === undefined) {
        this.members = [];
        void this.gather();
      }
      this.members.push({ options, resolve });
      if (this.members.length >= this.options.expectedSubscribers) this.closeGathering?.();
    });
  }

  /** Waits for the expected subscribers, then starts one feed for those near the front. */
  private async gather(): Promise<void> {
    await new Promise<void>((resolveWait) => {
      const timer = setTimeout(resolveWait, this.options.gatherMs);
      this.closeGathering = () => {
        clearTimeout(timer);
        resolveWait();
      };
    });
    this.closeGathering = undefined;
    const members = [...(this.members ?? [])];
    let feed: SharedFeed | undefined;
    try {
      const near = await this.nearTheFront(members);
      feed = new SharedFeed(this.upstream, lowestStart(near), prefixesOf(near), this.options);
      for (const member of members) {
        member.resolve(near.includes(member) ? feed.subscribe(member.options) : undefined);
      }
    } catch {
      // The store could not say how far apart they are: each reads on its own (and reports there).
      for (const member of members) member.resolve(undefined);
    }
    // Subscribers that came while the distances were read join if they can.
    for (const late of (this.members ?? []).slice(members.length)) {
      const { fromPosition, eventTypePrefixes } = late.options;
      const fits = feed?.canServe(fromPosition, eventTypePrefixes ?? []) === true;
      late.resolve(fits ? feed?.subscribe(late.options) : undefined);
    }
    this.members = undefined;
    this.feed = feed;
    feed?.run();
  }

  private async nearTheFront(members: readonly Member[]): Promise<Member[]> {
    const front = members.reduce<bigint | undefined>(
      (highest, member) =>
        isBefore(highest, member.options.fromPosition) ? member.options.fromPosition : highest,
      members[0]?.options.fromPosition,
    );
    const near: Member[] = [];
    for (const member of members) {
      const from = member.options.fromPosition;
      if (!isBefore(from, front)) {
        near.push(member);
        continue;
      }
      const window = this.options.shareWindowEvents;
      const page = await this.upstream.readAllPage(from, window);
      const last = page.at(-1)?.position;
      if (page.length < window || (last !== undefined && front !== undefined && last >= front)) {
        near.push(member);
      }
    }
    return near;
  }
}
