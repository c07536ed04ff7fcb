import type { ProjectionEventSource } from '../core/event-source.ts';
import type { StoredEvent } from '../../infra/eventstore/event-store.ts';
import { computeEventHash } from '../../infra/write/hash-chain.ts';

/** Ledger streams whose events carry a hash chain. */
const chainedStreamPrefixes = ['payment-', 'webhook-', 'reconciliation-'];

export interface BrokenChain {
  stream: string;
  revision: bigint;
  reason: string;
}

export interface ChainReport {
  streams: number;
  events: number;
  broken: BrokenChain[];
}

interface Link {
  nextRevision: bigint;
  previousHash: string | null;
  broken: boolean;
}

/**
 * Checks hash chains incrementally, event by event in `$all` order, keeping one link per stream
 * (not the streams' events), so that memory grows with the number of streams only. Pure: the
 * caller feeds the events. Same rule as infra/write/hash-chain.ts's verifyHashChain.
 */
export class HashChainChecker {
  private readonly links = new Map<string, Link>();
  private readonly broken: BrokenChain[] = [];
  private events = 0;

  constructor(private readonly brokenMax = 1_000) {}

  static isChained(stream: string): boolean {
    return chainedStreamPrefixes.some((prefix) => stream.startsWith(prefix));
  }

  check(event: StoredEvent): void {
    if (!HashChainChecker.isChained(event.stream)) return;
    this.events += 1;
    const link = this.links.get(event.stream) ?? {
      nextRevision: 0n,
      previousHash: null,
      broken: false,
    };
    this.links.set(event.stream, link);
    if (link.broken) return;
    const reason = this.problemOf(event, link);
    if (reason !== undefined) {
      link.broken = true;
      if (this.broken.length < this.brokenMax) {
        this.broken.push({ stream: event.stream, revision: event.revision, reason });
      }
      return;
    }
    link.nextRevision = event.revision + 1n;
    link.previousHash = String(event.metadata.hash);
  }

  private problemOf(event: StoredEvent, link: Link): string | undefined {
    if (event.revision !== link.nextRevision) {
      return `revision ${event.revision} follows ${link.nextRevision - 1n}`;
    }
    if ((event.metadata.previousHash ?? null) !== link.previousHash) {
      return 'previousHash does not link to the previous event';
    }
    const expected = computeEventHash({
      previousHash: link.previousHash,
      stream: event.stream,
      revision: event.revision,
      type: event.type,
      data: event.data,
      metadataWithoutHash: event.metadata,
    });
    return event.metadata.hash === expected ? undefined : 'hash does not match the event content';
  }

  report(): ChainReport {
    return { streams: this.links.size, events: this.events, broken: [...this.broken] };
  }
}

/** Reads every ledger event of `$all` once (catch-up subscription) and checks every chain. */
export async function verifyAllHashChains(
  eventStore: ProjectionEventSource,
  eventTypePrefixes: readonly string[],
  onProgress?: (events: number) => void,
): Promise<ChainReport> {
  const checker = new HashChainChecker();
  let seen = 0;
  for await (const message of eventStore.subscribeToAll({
    eventTypePrefixes,
    checkpointIntervalEvents: 256,
  })) {
    if (message.kind === 'caughtUp') break;
    if (message.kind !== 'event') continue;
    checker.check(message.event);
    seen += 1;
    if (seen % 10_000 === 0) onProgress?.(seen);
  }
  return checker.report();
}
