import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export interface HashableEvent {
  previousHash: string | null;
  stream: string;
  revision: bigint;
  type: string;
  data: unknown;
  /** The event's metadata without its own `hash` (and without `previousHash`, given above). */
  metadataWithoutHash: Record<string, unknown>;
}

/** SHA-256 (hex) chaining an event to the previous event of its stream. */
export function computeEventHash(event: HashableEvent): string {
  const { hash: _hash, previousHash: _previous, ...metadata } = event.metadataWithoutHash;
  return createHash('sha256')
    .update(
      canonicalJson([
        event.previousHash,
        event.stream,
        event.revision.toString(),
        event.type,
        event.data,
        metadata,
      ]),
    )
    .digest('hex');
}

export interface ChainLink {
  stream: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export type ChainVerdict =
  | { ok: true; lastHash: string | null; checked: number }
  | { ok: false; revision: bigint; reason: string };

/** Recomputes a stream's chain; the first event whose hash or link does not match breaks it. */
export function verifyHashChain(events: readonly ChainLink[]): ChainVerdict {
  let previousHash: string | null = null;
  for (const event of events) {
    const stored = event.metadata.hash;
    const storedPrevious = event.metadata.previousHash ?? null;
    if (storedPrevious !== previousHash) {
      return {
        ok: false,
        revision: event.revision,
        reason: 'previousHash does not link to the previous event',
      };
    }
    const expected = computeEventHash({
      previousHash,
      stream: event.stream,
      revision: event.revision,
      type: event.type,
      data: event.data,
      metadataWithoutHash: event.metadata,
    });
    if (stored !== expected) {
      return {
        ok: false,
        revision: event.revision,
        reason: 'hash does not match the event content',
      };
    }
    previousHash = expected;
  }
  return { ok: true, lastHash: previousHash, checked: events.length };
}
