export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'exact'; revision: bigint };

/** Wire encoding of the expectations in `expected-version` trailers. */
export function expectedRevisionCode(expected: ExpectedRevision): bigint {
  switch (expected.kind) {
    case 'any':
      return -2n;
    case 'no_stream':
      return -1n;
    case 'stream_exists':
      return -4n;
    case 'exact':
      return expected.revision;
    default: {
      const unreachable: never = expected;
      return unreachable;
    }
  }
}

/** What the write path knows about a stream when it checks an expectation. */
export interface StreamView {
  /** -1 when the stream has no events. */
  lastRevision: bigint;
  tombstoned: boolean;
  softDeleted: boolean;
  hasMetastream: boolean;
  eventIdAt(revision: bigint, eventId: Uint8Array): boolean;
  /** Revision of a recently committed event of this stream with that id, if remembered. */
  revisionOfEventId(eventId: Uint8Array): bigint | undefined;
}

export type AppendDecision =
  | { kind: 'write'; recreate: boolean }
  | { kind: 'idempotent'; lastRevision: bigint }
  | { kind: 'wrong-expected-version'; currentRevision: bigint }
  | { kind: 'stream-deleted' };

export function decideAppend(
  view: StreamView,
  expected: ExpectedRevision,
  eventIds: readonly Uint8Array[],
): AppendDecision {
  if (view.tombstoned) return { kind: 'stream-deleted' };
  if (expected.kind === 'stream_exists' && view.softDeleted) return { kind: 'stream-deleted' };
  const wrong: AppendDecision = {
    kind: 'wrong-expected-version',
    currentRevision: view.lastRevision,
  };
  if (eventIds.length === 0) return decideEmptyAppend(view, expected, wrong);
  switch (expected.kind) {
    case 'any':
      return idempotentByEventId(view, eventIds) ?? { kind: 'write', recreate: view.softDeleted };
    case 'stream_exists':
      if (view.lastRevision < 0n && !view.hasMetastream) return wrong;
      return idempotentByEventId(view, eventIds) ?? { kind: 'write', recreate: false };
    case 'no_stream':
      return decideExact(view, -1n, eventIds, true);
    case 'exact':
      return decideExact(view, expected.revision, eventIds, false);
    default: {
      const unreachable: never = expected;
      return unreachable;
    }
  }
}

function decideEmptyAppend(
  view: StreamView,
  expected: ExpectedRevision,
  wrong: AppendDecision,
): AppendDecision {
  const matches =
    expected.kind === 'any' ||
    (expected.kind === 'stream_exists' && (view.lastRevision >= 0n || view.hasMetastream)) ||
    (expected.kind === 'no_stream' && view.lastRevision < 0n) ||
    (expected.kind === 'exact' && expected.revision === view.lastRevision);
  return matches ? { kind: 'idempotent', lastRevision: view.lastRevision } : wrong;
}

/** A retry of events already in the stream: all ids must match consecutive events. */
function idempotentByEventId(
  view: StreamView,
  eventIds: readonly Uint8Array[],
): AppendDecision | undefined {
  const first = view.revisionOfEventId(eventIds[0] as Uint8Array);
  if (first === undefined) return undefined;
  const allMatch = eventIds.every((eventId, index) => {
    const revision = first + BigInt(index);
    return revision <= view.lastRevision && view.eventIdAt(revision, eventId);
  });
  return allMatch
    ? { kind: 'idempotent', lastRevision: first + BigInt(eventIds.length - 1) }
    : { kind: 'wrong-expected-version', currentRevision: view.lastRevision };
}

function decideExact(
  view: StreamView,
  expectedRevision: bigint,
  eventIds: readonly Uint8Array[],
  isNoStream: boolean,
): AppendDecision {
  const wrong: AppendDecision = {
    kind: 'wrong-expected-version',
    currentRevision: view.lastRevision,
  };
  if (expectedRevision === view.lastRevision) return { kind: 'write', recreate: view.softDeleted };
  if (expectedRevision > view.lastRevision) return wrong;
  const firstMatches = view.eventIdAt(expectedRevision + 1n, eventIds[0] as Uint8Array);
  if (!firstMatches) {
    return isNoStream && view.softDeleted ? { kind: 'write', recreate: true } : wrong;
  }
  const lastRevision = expectedRevision + BigInt(eventIds.length);
  if (lastRevision > view.lastRevision) return wrong;
  const allMatch = eventIds.every((eventId, index) =>
    view.eventIdAt(expectedRevision + 1n + BigInt(index), eventId),
  );
  return allMatch ? { kind: 'idempotent', lastRevision } : wrong;
}
