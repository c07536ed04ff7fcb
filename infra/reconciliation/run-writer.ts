import type {
  ReconciliationCommand,
  ReconciliationEvent,
  RunState,
} from '../../domain/reconciliation/index.ts';
import type { DomainError } from '../../domain/errors.ts';
import {
  StreamConflictError,
  type EventStore,
  type ExpectedRevision,
  type StoredEvent,
} from '../eventstore/event-store.ts';
import { prepareEvents } from '../write/aggregate-store.ts';
import type { CommandContext } from '../write/event-metadata.ts';
import { runAggregate } from './run-aggregate.ts';

/** Another process appended to the run meanwhile: it is reconciling the same report. */
export class RunInProgressError extends Error {
  override readonly name = 'RunInProgressError';
  constructor(readonly runId: string) {
    super(`reconciliation run ${runId} is being written by another process; retry when it ends`);
  }
}

/** The run's command refused: a bug in the orchestration, since it builds the commands. */
export class RunRefusedError extends Error {
  override readonly name = 'RunRefusedError';
  constructor(readonly error: DomainError) {
    super(`${error.code}: ${error.message}`);
  }
}

/**
 * Writes one run: decide on the state in hand, append at the expected revision, fold. The stream
 * is read once when the run opens, not before every batch (which would make a long run
 * quadratic); a conflict means a second writer and stops this one.
 */
export class RunWriter {
  private constructor(
    private readonly store: EventStore,
    readonly runId: string,
    private current: RunState | undefined,
    private expected: ExpectedRevision,
    private lastHash: string | null,
    private lastPosition: bigint,
  ) {}

  static async open(
    store: EventStore,
    runId: string,
  ): Promise<{ writer: RunWriter; events: ReconciliationEvent[] }> {
    const stored: StoredEvent[] = (await store.readStream(runAggregate.streamName(runId))) ?? [];
    const events = stored.map((event) => runAggregate.decode(event));
    let state: RunState | undefined;
    for (const event of events) state = runAggregate.evolve(state, event);
    const last = stored.at(-1);
    const lastHash = typeof last?.metadata.hash === 'string' ? last.metadata.hash : null;
    const revision = last?.revision ?? 'no_stream';
    const writer = new RunWriter(store, runId, state, revision, lastHash, last?.position ?? 0n);
    return { writer, events };
  }

  get state(): RunState | undefined {
    return this.current;
  }

  /** `$all` position of the run's last event: the consistency token for reading it back. */
  get position(): bigint {
    return this.lastPosition;
  }

  async execute(
    command: ReconciliationCommand,
    context: CommandContext,
  ): Promise<ReconciliationEvent[]> {
    return this.executeAll([command], context);
  }

  /**
   * Decides the commands one after the other on the state each leaves, and appends all their
   * events in one append: one round trip and one flush of the store for the lot. All or none.
   */
  async executeAll(
    commands: readonly ReconciliationCommand[],
    context: CommandContext,
  ): Promise<ReconciliationEvent[]> {
    let state = this.current;
    const events: ReconciliationEvent[] = [];
    for (const command of commands) {
      const decision = runAggregate.decide(command, state);
      if (!decision.ok) throw new RunRefusedError(decision.error);
      for (const event of decision.events) {
        state = runAggregate.evolve(state, event);
        events.push(event);
      }
    }
    if (events.length === 0) return [];
    const stream = runAggregate.streamName(this.runId);
    const firstRevision = this.expected === 'no_stream' ? 0n : (this.expected as bigint) + 1n;
    const prepared = prepareEvents(
      runAggregate.encode,
      stream,
      events,
      firstRevision,
      this.lastHash,
      context,
    );
    try {
      const appended = await this.store.append(stream, prepared, this.expected);
      this.lastPosition = appended.position;
    } catch (error) {
      if (error instanceof StreamConflictError) throw new RunInProgressError(this.runId);
      throw error;
    }
    this.expected = firstRevision + BigInt(prepared.length - 1);
    const lastMetadata = prepared.at(-1)?.metadata;
    this.lastHash = typeof lastMetadata?.hash === 'string' ? lastMetadata.hash : this.lastHash;
    this.current = state;
    return events;
  }
}
