import type { ExpectedRevision } from '../store/expected-revision.ts';
import type { WriteOutcome } from '../store/event-store.ts';
import { streamIdentifier } from './codec.ts';
import { maximumAppendBytes } from './errors.ts';
import {
  anyMessage,
  googleEmpty,
  shared,
  status,
  streams,
  type BatchAppendResponse,
  type Uuid,
} from './protocol.ts';

/** google.rpc.Code values used inside `BatchAppendResp.error`. */
const rpcCode = {
  unknown: 2,
  invalidArgument: 3,
  deadlineExceeded: 4,
  notFound: 5,
  alreadyExists: 6,
} as const;

export type BatchFailure =
  | { kind: 'timeout' }
  | { kind: 'maximum-append-size' }
  | { kind: 'bad-request'; message: string }
  | { kind: 'unknown'; message: string };

interface Packable {
  serializeBinary(): Uint8Array;
}

function baseResponse(
  correlationId: Uuid,
  streamName: string,
  expected: ExpectedRevision | undefined,
): BatchAppendResponse {
  const response = new streams.BatchAppendResp()
    .setCorrelationId(correlationId)
    .setStreamIdentifier(streamIdentifier(streamName));
  if (expected?.kind === 'any') response.setAny(new googleEmpty.Empty());
  else if (expected?.kind === 'no_stream') response.setNoStream(new googleEmpty.Empty());
  else if (expected?.kind === 'stream_exists') response.setStreamExists(new googleEmpty.Empty());
  else if (expected?.kind === 'exact') response.setStreamPosition(expected.revision.toString());
  return response;
}

function errorResponse(
  response: BatchAppendResponse,
  code: number,
  message: string,
  typeName: string,
  details: Packable,
): BatchAppendResponse {
  const packed = new anyMessage.Any();
  packed.setTypeUrl(`type.googleapis.com/event_store.client.${typeName}`);
  packed.setValue(details.serializeBinary());
  const rpcStatus = new status.Status();
  rpcStatus.setCode(code as Parameters<typeof rpcStatus.setCode>[0]);
  rpcStatus.setMessage(message);
  rpcStatus.setDetails(packed);
  return response.setError(rpcStatus);
}

export function batchOutcomeResponse(
  correlationId: Uuid,
  streamName: string,
  expected: ExpectedRevision,
  outcome: WriteOutcome,
): BatchAppendResponse {
  const response = baseResponse(correlationId, streamName, expected);
  if (outcome.kind === 'stream-deleted') {
    const details = new shared.StreamDeleted().setStreamIdentifier(streamIdentifier(streamName));
    return errorResponse(response, rpcCode.notFound, 'Stream deleted.', 'StreamDeleted', details);
  }
  if (outcome.kind === 'wrong-expected-version') {
    return errorResponse(
      response,
      rpcCode.alreadyExists,
      'Wrong expected version.',
      'WrongExpectedVersion',
      wrongExpectedVersionDetails(expected, outcome.currentRevision),
    );
  }
  const success = new streams.BatchAppendResp.Success();
  if (outcome.lastRevision >= 0n) success.setCurrentRevision(outcome.lastRevision.toString());
  else success.setNoStream(new googleEmpty.Empty());
  if (outcome.position === undefined) success.setNoPosition(new googleEmpty.Empty());
  else {
    const text = outcome.position.toString();
    success.setPosition(
      new shared.AllStreamPosition().setCommitPosition(text).setPreparePosition(text),
    );
  }
  return response.setSuccess(success);
}

function wrongExpectedVersionDetails(
  expected: ExpectedRevision,
  currentRevision: bigint,
): Packable {
  const details = new shared.WrongExpectedVersion();
  if (currentRevision >= 0n) details.setCurrentStreamRevision(currentRevision.toString());
  else details.setCurrentNoStream(new googleEmpty.Empty());
  if (expected.kind === 'any') details.setExpectedAny(new googleEmpty.Empty());
  else if (expected.kind === 'no_stream') details.setExpectedNoStream(new googleEmpty.Empty());
  else if (expected.kind === 'stream_exists')
    details.setExpectedStreamExists(new googleEmpty.Empty());
  else details.setExpectedStreamPosition(expected.revision.toString());
  return details;
}

export function batchFailureResponse(
  correlationId: Uuid,
  streamName: string,
  expected: ExpectedRevision | undefined,
  failure: BatchFailure,
): BatchAppendResponse {
  const response = baseResponse(correlationId, streamName, expected);
  switch (failure.kind) {
    case 'timeout':
      return errorResponse(
        response,
        rpcCode.deadlineExceeded,
        'Timeout.',
        'Timeout',
        new shared.Timeout(),
      );
    case 'maximum-append-size':
      return errorResponse(
        response,
        rpcCode.invalidArgument,
        'Maximum append size exceeded.',
        'MaximumAppendSizeExceeded',
        new shared.MaximumAppendSizeExceeded().setMaxappendsize(maximumAppendBytes),
      );
    case 'bad-request':
      return errorResponse(
        response,
        rpcCode.invalidArgument,
        failure.message,
        'BadRequest',
        new shared.BadRequest().setMessage(failure.message),
      );
    case 'unknown':
      return errorResponse(
        response,
        rpcCode.unknown,
        failure.message,
        'Unknown',
        new shared.Unknown(),
      );
    default: {
      const unreachable: never = failure;
      throw new Error(`unexpected failure ${String(unreachable)}`);
    }
  }
}
