export type ReadDirection = 'forwards' | 'backwards';

export type StreamStart =
  { kind: 'start' } | { kind: 'end' } | { kind: 'revision'; revision: bigint };

export type AllStart = { kind: 'start' } | { kind: 'end' } | { kind: 'position'; position: bigint };

/** Requested counts arrive as u64; anything above 2^53 means "no limit" in practice. */
export function boundedCount(count: bigint): number {
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

/** Clamps a u64 revision into [minimum, maximum] without converting huge values. */
export function clampRevision(revision: bigint, minimum: number, maximum: number): number {
  if (revision < BigInt(minimum)) return minimum;
  if (revision > BigInt(maximum)) return maximum;
  return Number(revision);
}
