import { v5 as uuidV5 } from 'uuid';
import type { DomainError } from '../../domain/errors.ts';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  JsonObject,
  StoredEvent,
} from '../eventstore/event-store.ts';
import type { CommandContext, LedgerEventMetadata } from './event-metadata.ts';
import { computeEventHash } from './hash-chain.ts';

/** What the write path needs to know about an aggregate: pure functions plus its codec. */
export interface AggregateDefinition<Command, Event, State> {
  streamName(id: string): string;
  decide(
    command: Command,
    state: State | undefined,
  ): { ok: true; events: Event[] } | { ok: false; error: DomainError };
  evolve(state: State | undefined, event: Event): State;
  encode(event: Event): { type: string; data: JsonObject; schemaVersion: number };
  /** Validates and upcasts a stored event; throws on a corrupt one (a broken invariant). */
  decode(stored: StoredEvent): Event;
}

export interface LoadedAggregate<State> {
  state: State | undefined;
  /** Revision of the last event, or 'no_stream'. */
  expected: ExpectedRevision;
  lastHash: string | null;
  lastPosition: bigint | undefined;
  events: StoredEvent[];
}

// A fixed namespace: event ids derive from their hash, so a retried append is idempotent.
const eventIdNamespace = '0b5c9a8e-3f1d-4c2b-9a7e-5d6f4e3c2b1a';

export async function loadAggregate<Command, Event, State>(
  store: EventStore,
  definition: AggregateDefinition<Command, Event, State>,
  id: string,
): Promise<LoadedAggregate<State>> {
  const events = (await store.readStream(definition.streamName(id))) ?? [];
  let state: State | undefined;
  for (const stored of events) state = definition.evolve(state, definition.decode(stored));
  const last = events.at(-1);
  return {
    state,
    expected: last === undefined ? 'no_stream' : last.revision,
    lastHash: typeof last?.metadata.hash === 'string' ? last.metadata.hash : null,
    lastPosition: last?.position,
    events,
  };
}

/** Encodes events with their audit metadata, each hash chained to the one before it. */
export function prepareEvents<Event>(
  encode: (event: Event) => { type: string; data: JsonObject; schemaVersion: number },
  stream: string,
  events: readonly Event[],
  firstRevision: bigint,
  previousHash: string | null,
  context: CommandContext,
) {
  let chainHash = previousHash;
  return events.map((event, index) => {
    const encoded = encode(event);
    const base = {
      correlationId: context.correlationId,
      causationId: context.causationId,
      actor: context.actor,
      source: context.source,
      tenantId: context.tenantId,
      schemaVersion: encoded.schemaVersion,
      previousHash: chainHash,
    };
    const hash = computeEventHash({
      previousHash: chainHash,
      stream,
      revision: firstRevision + BigInt(index),
      type: encoded.type,
      data: encoded.data,
      metadataWithoutHash: base,
    });
    chainHash = hash;
    const metadata: LedgerEventMetadata = { ...base, hash };
    return {
      id: uuidV5(`${stream}:${hash}`, eventIdNamespace),
      type: encoded.type,
      data: encoded.data,
      metadata: metadata as unknown as JsonObject,
    };
  });
}

export async function appendDecided<Command, Event, State>(
  store: EventStore,
  definition: AggregateDefinition<Command, Event, State>,
  id: string,
  loaded: LoadedAggregate<State>,
  events: readonly Event[],
  context: CommandContext,
): Promise<AppendResult & { lastHash: string | null }> {
  const stream = definition.streamName(id);
  const firstRevision = loaded.expected === 'no_stream' ? 0n : (loaded.expected as bigint) + 1n;
  const prepared = prepareEvents(
    definition.encode,
    stream,
    events,
    firstRevision,
    loaded.lastHash,
    context,
  );
  const appended = await store.append(stream, prepared, loaded.expected);
  const lastHash = (prepared.at(-1)?.metadata.hash as string | undefined) ?? loaded.lastHash;
  return { ...appended, lastHash };
}
