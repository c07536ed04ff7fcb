import type { DomainError } from '../../domain/errors.ts';
import { StreamConflictError, type EventStore } from '../eventstore/event-store.ts';
import { appendDecided, loadAggregate, type AggregateDefinition } from './aggregate-store.ts';
import type { AggregateCache } from './aggregate-cache.ts';
import type { CommandContext } from './event-metadata.ts';

export interface CommandOptions {
  /** Warm aggregates skip the read before the append (see AggregateCache). */
  cache?: AggregateCache<unknown>;
  /** Whole read → decide → append attempts before reporting a conflict. */
  attemptsMax: number;
  /** Base of the exponential back-off between attempts; jittered. */
  backoffBaseMs: number;
}

export const defaultCommandOptions: CommandOptions = { attemptsMax: 12, backoffBaseMs: 2 };

export type CommandOutcome<State, Event> =
  | {
      ok: true;
      state: State;
      /** Events this command appended (empty when it was already reflected: idempotent). */
      events: Event[];
      /** Position in `$all` of the last event of the stream: the consistency token. */
      position: bigint;
      revision: bigint;
    }
  | { ok: false; error: DomainError; state: State | undefined };

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Read → fold → decide → append with the expected revision. On a conflict the whole handler
 * runs again (safe because deciders are pure), a bounded number of times with jittered back-off.
 */
export async function handleCommand<Command, Event, State>(
  store: EventStore,
  definition: AggregateDefinition<Command, Event, State>,
  id: string,
  command: Command,
  context: CommandContext | ((state: State | undefined) => CommandContext),
  options: CommandOptions = defaultCommandOptions,
): Promise<CommandOutcome<State, Event>> {
  let lastState: State | undefined;
  const stream = definition.streamName(id);
  const cache = options.cache as AggregateCache<State> | undefined;
  let cached = cache?.get(stream);
  for (let attempt = 1; attempt <= options.attemptsMax; attempt += 1) {
    const fromCache = cached !== undefined;
    const loaded = cached ?? (await loadAggregate(store, definition, id));
    cached = undefined;
    lastState = loaded.state;
    const decision = definition.decide(command, loaded.state);
    if (fromCache && (!decision.ok || decision.events.length === 0)) {
      // Never refuse (or skip) on a possibly stale state: decide again on a fresh read.
      cache?.delete(stream);
      attempt -= 1;
      continue;
    }
    if (!decision.ok) return { ok: false, error: decision.error, state: loaded.state };
    if (decision.events.length === 0) {
      if (loaded.state === undefined || loaded.expected === 'no_stream') {
        throw new Error('a decider accepted a command on a missing stream without events');
      }
      return {
        ok: true,
        state: loaded.state,
        events: [],
        position: loaded.lastPosition ?? 0n,
        revision: loaded.expected as bigint,
      };
    }
    try {
      const resolvedContext = typeof context === 'function' ? context(loaded.state) : context;
      const appended = await appendDecided(
        store,
        definition,
        id,
        loaded,
        decision.events,
        resolvedContext,
      );
      let state = loaded.state;
      for (const event of decision.events) state = definition.evolve(state, event);
      cache?.set(stream, {
        state,
        expected: appended.nextRevision,
        lastHash: appended.lastHash,
        lastPosition: appended.position,
        events: [],
      });
      return {
        ok: true,
        state: state as State,
        events: decision.events,
        position: appended.position,
        revision: appended.nextRevision,
      };
    } catch (error) {
      cache?.delete(stream);
      if (!(error instanceof StreamConflictError)) throw error;
      if (fromCache) continue; // the cache was stale: read now, no back-off needed
      const ceilingMs = options.backoffBaseMs * 2 ** Math.min(attempt, 8);
      await sleep(Math.random() * ceilingMs);
    }
  }
  return {
    ok: false,
    error: {
      code: 'CONCURRENCY_CONFLICT',
      message: `the payment kept changing; gave up after ${options.attemptsMax} attempts, retry`,
    },
    state: lastState,
  };
}
