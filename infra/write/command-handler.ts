import type { DomainError } from '../../domain/errors.ts';
import { StreamConflictError, type EventStore } from '../eventstore/event-store.ts';
import { appendDecided, loadAggregate, type AggregateDefinition } from './aggregate-store.ts';
import type { CommandContext } from './event-metadata.ts';

export interface CommandOptions {
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
  for (let attempt = 1; attempt <= options.attemptsMax; attempt += 1) {
    const loaded = await loadAggregate(store, definition, id);
    lastState = loaded.state;
    const decision = definition.decide(command, loaded.state);
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
      return {
        ok: true,
        state: state as State,
        events: decision.events,
        position: appended.position,
        revision: appended.nextRevision,
      };
    } catch (error) {
      if (!(error instanceof StreamConflictError)) throw error;
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
