import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { EventStore, ProposedEvent } from '../store/event-store.ts';
import type { ExpectedRevision } from '../store/expected-revision.ts';
import { batchFailureResponse, batchOutcomeResponse, type BatchFailure } from './batch-append-results.ts';
import { streamNameOf, uuidBytes } from './codec.ts';
import { isRpcError, maximumAppendBytes } from './errors.ts';
import { expectedRevisionOf } from './expected-revision-wire.ts';
import type { BatchAppendRequest, BatchAppendResponse, Uuid } from './protocol.ts';
import { appendSizeOf, proposedEventOf } from './proposed-events.ts';

type BatchCall = ServerDuplexStream<BatchAppendRequest, BatchAppendResponse>;

/** One correlation id: its chunks accumulate until `is_final`; exactly one reply is ever sent. */
interface BatchState {
  correlationId: Uuid;
  streamName: string;
  expected: ExpectedRevision | undefined;
  events: ProposedEvent[];
  dataBytes: number;
  timer: NodeJS.Timeout | undefined;
  replied: boolean;
}

const defaultTimeoutMs = 10_000;
const openBatchesMax = 20_000;

/** `Streams.BatchAppend`: one long-lived bidi stream per client, many appends multiplexed on it. */
export function batchAppendHandler(store: EventStore): (call: BatchCall) => void {
  return (call) => new BatchAppendSession(store, call).start();
}

class BatchAppendSession {
  private readonly open = new Map<string, BatchState>();
  private inFlight = 0;
  private clientEnded = false;
  private cancelled = false;

  constructor(
    private readonly store: EventStore,
    private readonly call: BatchCall,
  ) {}

  start(): void {
    this.call.on('data', (request: BatchAppendRequest) => this.receive(request));
    this.call.on('end', () => {
      this.clientEnded = true;
      this.endIfIdle();
    });
    this.call.on('cancelled', () => this.cancel());
    this.call.on('error', () => this.cancel());
  }

  private receive(request: BatchAppendRequest): void {
    const correlationId = request.getCorrelationId();
    if (!correlationId || this.cancelled) return;
    const key = correlationKey(correlationId);
    const state = this.open.get(key) ?? this.begin(key, correlationId, request);
    if (!state.replied) this.accumulate(state, request);
    if (!request.getIsFinal()) return;
    this.open.delete(key);
    if (!state.replied) this.write(state);
  }

  private begin(key: string, correlationId: Uuid, request: BatchAppendRequest): BatchState {
    const options = request.getOptions();
    const state: BatchState = {
      correlationId,
      streamName: streamNameOf(options?.getStreamIdentifier()),
      expected: options ? expectedRevisionOf(options, () => options.getStreamPosition()) : undefined,
      events: [],
      dataBytes: 0,
      timer: undefined,
      replied: false,
    };
    this.open.set(key, state);
    if (!options) this.fail(state, { kind: 'bad-request', message: 'First batch chunk carries no options.' });
    else if (this.open.size > openBatchesMax) this.fail(state, { kind: 'unknown', message: 'Too many open batches.' });
    else this.armDeadline(state, deadlineMsOf(options.getDeadline()));
    return state;
  }

  private armDeadline(state: BatchState, deadlineMs: number | undefined): void {
    const timeoutMs = Math.min(deadlineMs === undefined ? defaultTimeoutMs : deadlineMs - Date.now(), defaultTimeoutMs);
    if (timeoutMs <= 0) return this.fail(state, { kind: 'timeout' });
    state.timer = setTimeout(() => this.fail(state, { kind: 'timeout' }), timeoutMs);
  }

  private accumulate(state: BatchState, request: BatchAppendRequest): void {
    try {
      for (const message of request.getProposedMessagesList()) {
        const event = proposedEventOf(message);
        state.dataBytes += appendSizeOf(event);
        state.events.push(event);
      }
    } catch (error) {
      const message = isRpcError(error) ? error.details : String(error);
      return this.fail(state, { kind: 'bad-request', message });
    }
    if (state.dataBytes > maximumAppendBytes) this.fail(state, { kind: 'maximum-append-size' });
  }

  private write(state: BatchState): void {
    const expected = state.expected as ExpectedRevision;
    this.inFlight += 1;
    this.store
      .append(state.streamName, expected, state.events)
      .then(
        (outcome) => this.reply(state, batchOutcomeResponse(state.correlationId, state.streamName, expected, outcome)),
        (error: unknown) => this.fail(state, { kind: 'unknown', message: String(error) }),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.endIfIdle();
      });
  }

  private fail(state: BatchState, failure: BatchFailure): void {
    this.reply(state, batchFailureResponse(state.correlationId, state.streamName, state.expected, failure));
  }

  private reply(state: BatchState, response: BatchAppendResponse): void {
    if (state.replied) return;
    state.replied = true;
    state.events = [];
    clearTimeout(state.timer);
    if (!this.cancelled) this.call.write(response);
  }

  private endIfIdle(): void {
    if (this.clientEnded && this.inFlight === 0 && !this.cancelled) this.call.end();
  }

  private cancel(): void {
    this.cancelled = true;
    for (const state of this.open.values()) clearTimeout(state.timer);
    this.open.clear();
  }
}

function correlationKey(correlationId: Uuid): string {
  const bytes = uuidBytes(correlationId);
  return bytes ? Buffer.from(bytes).toString('hex') : correlationId.getString();
}

function deadlineMsOf(deadline: { getSeconds(): number; getNanos(): number } | undefined): number | undefined {
  if (!deadline) return undefined;
  return deadline.getSeconds() * 1000 + Math.floor(deadline.getNanos() / 1_000_000);
}
