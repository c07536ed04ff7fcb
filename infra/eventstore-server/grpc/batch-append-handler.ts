import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { EventStore, ProposedEvent } from '../store/event-store.ts';
import type { ExpectedRevision } from '../store/expected-revision.ts';
import type { WriteOutcome } from '../store/event-store.ts';
import {
  batchFailureResponse,
  batchOutcomeResponse,
  type BatchFailure,
} from './batch-append-results.ts';
import { uuidMessageOfWire, wireUuidBytes } from './codec.ts';
import { isRpcError, maximumAppendBytes } from './errors.ts';
import type { BatchAppendResponse } from './protocol.ts';
import { appendSizeOf, proposedEventOfWire } from './proposed-events.ts';
import type { DecodedBatchAppendRequest, WireUuid } from './wire/batch-append-request-decoder.ts';
import { encodeBatchAppendSuccess } from './wire/batch-append-response-encoder.ts';

/** Requests arrive hand-decoded; successes leave hand-encoded (see wire/), the rest generated. */
type BatchCall = ServerDuplexStream<DecodedBatchAppendRequest, BatchAppendResponse | Buffer>;

/** One correlation id: its chunks accumulate until `is_final`; exactly one reply is ever sent. */
interface BatchState {
  correlationId: WireUuid;
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
    this.call.on('data', (request: DecodedBatchAppendRequest) => this.receive(request));
    this.call.on('end', () => {
      this.clientEnded = true;
      this.endIfIdle();
    });
    this.call.on('cancelled', () => this.cancel());
    this.call.on('error', () => this.cancel());
  }

  private receive(request: DecodedBatchAppendRequest): void {
    const { correlationId } = request;
    if (!correlationId || this.cancelled) return;
    const key = correlationKey(correlationId);
    const state = this.open.get(key) ?? this.begin(key, correlationId, request);
    if (!state.replied) this.accumulate(state, request);
    if (!request.isFinal) return;
    this.open.delete(key);
    if (!state.replied) this.write(state);
  }

  private begin(
    key: string,
    correlationId: WireUuid,
    request: DecodedBatchAppendRequest,
  ): BatchState {
    const { options } = request;
    const state: BatchState = {
      correlationId,
      streamName: options
        ? Buffer.from(
            options.streamName.buffer,
            options.streamName.byteOffset,
            options.streamName.byteLength,
          ).toString('utf8')
        : '',
      expected: options?.expected,
      events: [],
      dataBytes: 0,
      timer: undefined,
      replied: false,
    };
    this.open.set(key, state);
    if (!options)
      this.fail(state, { kind: 'bad-request', message: 'First batch chunk carries no options.' });
    else if (this.open.size > openBatchesMax)
      this.fail(state, { kind: 'unknown', message: 'Too many open batches.' });
    else this.armDeadline(state, options.deadlineMs);
    return state;
  }

  private armDeadline(state: BatchState, deadlineMs: number | undefined): void {
    const timeoutMs = Math.min(
      deadlineMs === undefined ? defaultTimeoutMs : deadlineMs - Date.now(),
      defaultTimeoutMs,
    );
    if (timeoutMs <= 0) return this.fail(state, { kind: 'timeout' });
    state.timer = setTimeout(() => this.fail(state, { kind: 'timeout' }), timeoutMs);
  }

  private accumulate(state: BatchState, request: DecodedBatchAppendRequest): void {
    try {
      for (const message of request.proposedMessages) {
        const event = proposedEventOfWire(message);
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
        (outcome) => this.reply(state, outcomeResponse(state, expected, outcome)),
        (error: unknown) => this.fail(state, { kind: 'unknown', message: String(error) }),
      )
      .finally(() => {
        this.inFlight -= 1;
        this.endIfIdle();
      });
  }

  private fail(state: BatchState, failure: BatchFailure): void {
    this.reply(
      state,
      batchFailureResponse(
        uuidMessageOfWire(state.correlationId),
        state.streamName,
        state.expected,
        failure,
      ),
    );
  }

  private reply(state: BatchState, response: BatchAppendResponse | Buffer): void {
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

function correlationKey(correlationId: WireUuid): string {
  const bytes = wireUuidBytes(correlationId);
  if (bytes) return Buffer.from(bytes).toString('hex');
  return correlationId.form === 'string' ? correlationId.text : '';
}

function outcomeResponse(
  state: BatchState,
  expected: ExpectedRevision,
  outcome: WriteOutcome,
): BatchAppendResponse | Buffer {
  if (outcome.kind !== 'success')
    return batchOutcomeResponse(
      uuidMessageOfWire(state.correlationId),
      state.streamName,
      expected,
      outcome,
    );
  return encodeBatchAppendSuccess({
    correlationId: state.correlationId,
    streamName: Buffer.from(state.streamName, 'utf8'),
    expected,
    lastRevision: outcome.lastRevision,
    position: outcome.position,
  });
}
