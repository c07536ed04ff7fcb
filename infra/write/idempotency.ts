import { createHash } from 'node:crypto';
import type { DomainError } from '../../domain/errors.ts';
import {
  StreamConflictError,
  type EventStore,
  type StoredEvent,
} from '../eventstore/event-store.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * Idempotency keys are claimed on the event store itself: the first request appends a claim to
 * `idempotency-<tenant>-<sha256(key)>` with expected revision "no stream"; only one can win.
 * The claim holds the request's fingerprint and the ids reserved for it, so a retry after a crash
 * re-executes with the same ids (deciders are idempotent by construction) and then records the
 * result. A repeat of a completed request returns the stored result byte for byte.
 */
export interface IdempotentRequest {
  tenantId: string;
  key: string;
  operation: string;
  /** The request without its key: a repeat must match it exactly. */
  request: unknown;
  /** Ids generated for this request (payment id, refund id, ...), stored with the claim. */
  reservedIds: Record<string, string>;
  at: string;
}

export type IdempotentOutcome =
  { kind: 'result'; json: string; replayed: boolean } | { kind: 'refused'; error: DomainError };

/** Transient failures (unavailable, conflict after retries) are not stored: a retry runs again. */
export type ExecutionResult = { store: true; json: string } | { store: false; json: string };

export interface IdempotencyOptions {
  /** How long a repeat waits for an in-flight first request before taking it over. */
  waitForCompletionMs: number;
  pollIntervalMs: number;
}

export const defaultIdempotencyOptions: IdempotencyOptions = {
  waitForCompletionMs: 5_000,
  pollIntervalMs: 25,
};

export const maxIdempotencyKeyLength = 255;

export function idempotencyStreamName(tenantId: string, key: string): string {
  const keyHash = createHash('sha256').update(key, 'utf8').digest('hex');
  return `idempotency-${tenantId}-${keyHash}`;
}

export function requestFingerprint(operation: string, request: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, request })).digest('hex');
}

interface ClaimState {
  fingerprint: string;
  reservedIds: Record<string, string>;
  resultJson: string | undefined;
}

function readClaim(events: readonly StoredEvent[]): ClaimState | undefined {
  const claim = events.find((event) => event.type === 'IdempotencyKeyClaimed');
  if (!claim) return undefined;
  const completed = events.find((event) => event.type === 'IdempotencyKeyCompleted');
  return {
    fingerprint: String(claim.data.requestFingerprint),
    reservedIds: (claim.data.reservedIds ?? {}) as Record<string, string>,
    resultJson:
      typeof completed?.data.resultJson === 'string' ? completed.data.resultJson : undefined,
  };
}

const reusedError: DomainError = {
  code: 'IDEMPOTENCY_KEY_REUSED',
  message: 'this idempotency key was already used for a different request',
  field: ['idempotencyKey'],
};

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

async function waitForResult(
  store: EventStore,
  stream: string,
  options: IdempotencyOptions,
): Promise<ClaimState | undefined> {
  const deadline = Date.now() + options.waitForCompletionMs;
  let claim: ClaimState | undefined;
  while (Date.now() < deadline) {
    claim = readClaim((await store.readStream(stream)) ?? []);
    if (claim?.resultJson !== undefined) return claim;
    await sleep(options.pollIntervalMs);
  }
  return claim;
}

/** After losing the claim race, the winner's claim becomes readable once it is durable. */
async function waitForClaim(
  store: EventStore,
  stream: string,
  options: IdempotencyOptions,
): Promise<ClaimState | undefined> {
  const deadline = Date.now() + options.waitForCompletionMs;
  for (;;) {
    const claim = readClaim((await store.readStream(stream)) ?? []);
    if (claim !== undefined || Date.now() >= deadline) return claim;
    await sleep(options.pollIntervalMs);
  }
}

async function recordResult(
  store: EventStore,
  stream: string,
  json: string,
  at: string,
): Promise<string> {
  try {
    await store.append(
      stream,
      [
        {
          id: crypto.randomUUID(),
          type: 'IdempotencyKeyCompleted',
          data: { resultJson: json, completedAt: at },
          metadata: {},
        },
      ],
      0n,
    );
    return json;
  } catch (error) {
    if (!(error instanceof StreamConflictError)) throw error;
    // Someone who took over finished first: theirs is the first result.
    const claim = readClaim((await store.readStream(stream)) ?? []);
    return claim?.resultJson ?? json;
  }
}

export async function runIdempotent(
  store: EventStore,
  request: IdempotentRequest,
  execute: (reservedIds: Record<string, string>) => Promise<ExecutionResult>,
  options: IdempotencyOptions = defaultIdempotencyOptions,
): Promise<IdempotentOutcome> {
  const stream = idempotencyStreamName(request.tenantId, request.key);
  const fingerprint = requestFingerprint(request.operation, request.request);
  // Optimistic: most keys are new, so claim first and read only when the claim is refused.
  let claim: ClaimState | undefined;
  {
    try {
      await store.append(
        stream,
        [
          {
            id: crypto.randomUUID(),
            type: 'IdempotencyKeyClaimed',
            data: {
              tenantId: request.tenantId,
              operation: request.operation,
              requestFingerprint: fingerprint,
              reservedIds: request.reservedIds,
              claimedAt: request.at,
            },
            metadata: {},
          },
        ],
        'no_stream',
      );
      const result = await execute(request.reservedIds);
      if (!result.store) return { kind: 'result', json: result.json, replayed: false };
      return {
        kind: 'result',
        json: await recordResult(store, stream, result.json, request.at),
        replayed: false,
      };
    } catch (error) {
      if (!(error instanceof StreamConflictError) || error.stream !== stream) throw error;
      claim = await waitForClaim(store, stream, options);
    }
  }
  if (claim === undefined) throw new Error(`idempotency stream ${stream} has no claim`);
  if (claim.fingerprint !== fingerprint) return { kind: 'refused', error: reusedError };
  if (claim.resultJson !== undefined)
    return { kind: 'result', json: claim.resultJson, replayed: true };
  const finished = await waitForResult(store, stream, options);
  if (finished?.resultJson !== undefined) {
    return { kind: 'result', json: finished.resultJson, replayed: true };
  }
  // The first request died (or is stuck): run it again with the ids it reserved.
  const result = await execute(claim.reservedIds);
  if (!result.store) return { kind: 'result', json: result.json, replayed: true };
  return {
    kind: 'result',
    json: await recordResult(store, stream, result.json, request.at),
    replayed: true,
  };
}
