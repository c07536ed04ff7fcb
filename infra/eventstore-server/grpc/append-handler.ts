import type { sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import type { EventStore, ProposedEvent } from '../store/event-store.ts';
import type { ExpectedRevision } from '../store/expected-revision.ts';
import { appendSuccessResponse, appendWrongExpectedVersionResponse } from './append-results.ts';
import { streamNameOf } from './codec.ts';
import {
  invalidArgumentError,
  maximumAppendBytes,
  maximumAppendSizeError,
  streamDeletedError,
  toRpcError,
} from './errors.ts';
import { expectedRevisionOf } from './expected-revision-wire.ts';
import type { AppendRequest, AppendResponse } from './protocol.ts';
import { appendSizeOf, proposedEventOf } from './proposed-events.ts';

interface PendingAppend {
  streamName: string;
  expected: ExpectedRevision;
  events: ProposedEvent[];
  dataBytes: number;
}

/** `Streams.Append`: options first, then one message per event, then the client half-closes. */
export function appendHandler(
  store: EventStore,
): (
  call: ServerReadableStream<AppendRequest, AppendResponse>,
  callback: sendUnaryData<AppendResponse>,
) => void {
  return (call, callback) => {
    let pending: PendingAppend | undefined;
    let finished = false;
    const finish = (error: unknown, response?: AppendResponse): void => {
      if (finished) return;
      finished = true;
      if (error) callback(toRpcError(error));
      else callback(null, response);
    };
    call.on('data', (request: AppendRequest) => {
      if (finished) return;
      try {
        pending = accumulate(pending, request);
      } catch (error) {
        finish(error);
      }
    });
    call.on('end', () => {
      if (finished) return;
      if (!pending) return finish(invalidArgumentError('Append without options.'));
      performAppend(store, pending).then((response) => finish(null, response), finish);
    });
    call.on('error', () => {
      finished = true;
    });
  };
}

function accumulate(pending: PendingAppend | undefined, request: AppendRequest): PendingAppend {
  const options = request.getOptions();
  if (options) {
    if (pending) throw invalidArgumentError('Append options sent twice.');
    return {
      streamName: streamNameOf(options.getStreamIdentifier()),
      expected: expectedRevisionOf(options, () => options.getRevision()),
      events: [],
      dataBytes: 0,
    };
  }
  const message = request.getProposedMessage();
  if (!pending || !message)
    throw invalidArgumentError('The first append message must carry options.');
  const event = proposedEventOf(message);
  pending.dataBytes += appendSizeOf(event);
  if (pending.dataBytes > maximumAppendBytes) throw maximumAppendSizeError();
  pending.events.push(event);
  return pending;
}

async function performAppend(store: EventStore, pending: PendingAppend): Promise<AppendResponse> {
  const outcome = await store.append(pending.streamName, pending.expected, pending.events);
  switch (outcome.kind) {
    case 'success':
      return appendSuccessResponse(outcome.lastRevision, outcome.position);
    case 'wrong-expected-version':
      return appendWrongExpectedVersionResponse(pending.expected, outcome.currentRevision);
    case 'stream-deleted':
      throw streamDeletedError(pending.streamName);
    default: {
      const unreachable: never = outcome;
      throw new Error(`unexpected outcome ${String(unreachable)}`);
    }
  }
}
