import { Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { expectedRevisionCode, type ExpectedRevision } from '../store/expected-revision.ts';

export const maximumAppendBytes = 1_048_576;

/** A gRPC error as the server sends it: status code, details and `exception` trailers. */
export interface RpcError extends Partial<ServiceError> {
  code: grpcStatus;
  details: string;
  metadata: Metadata;
}

/** grpc-js only carries printable ASCII in metadata; the key itself must never be missing. */
export function asciiSafe(text: string): string {
  return text.replace(
    /[^\x20-\x7e]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function rpcError(code: grpcStatus, details: string, trailers: Record<string, string>): RpcError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, asciiSafe(value));
  return { code, details, metadata, message: details, name: 'RpcError' };
}

export function streamDeletedError(streamName: string): RpcError {
  return rpcError(
    grpcStatus.FAILED_PRECONDITION,
    `Event stream '${asciiSafe(streamName)}' is deleted.`,
    {
      exception: 'stream-deleted',
      'stream-name': streamName,
    },
  );
}

export function wrongExpectedVersionError(
  streamName: string,
  expected: ExpectedRevision,
  currentRevision: bigint,
): RpcError {
  return rpcError(grpcStatus.FAILED_PRECONDITION, 'Wrong expected version.', {
    exception: 'wrong-expected-version',
    'stream-name': streamName,
    'expected-version': expectedRevisionCode(expected).toString(),
    'actual-version': currentRevision.toString(),
  });
}

export function maximumAppendSizeError(): RpcError {
  return rpcError(
    grpcStatus.INVALID_ARGUMENT,
    `Maximum Append Size of ${maximumAppendBytes} Exceeded.`,
    {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(maximumAppendBytes),
    },
  );
}

export function missingMetadataError(): RpcError {
  return rpcError(grpcStatus.INVALID_ARGUMENT, 'Required metadata properties are missing.', {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });
}

export function invalidArgumentError(details: string): RpcError {
  return rpcError(grpcStatus.INVALID_ARGUMENT, details, {});
}

export function unauthenticatedError(): RpcError {
  return rpcError(grpcStatus.UNAUTHENTICATED, 'Bad authentication.', {});
}

/** Internal failures use UNKNOWN: UNAVAILABLE/INTERNAL make clients tear down the channel. */
export function unknownError(details: string): RpcError {
  return rpcError(grpcStatus.UNKNOWN, details, {});
}

export function isRpcError(value: unknown): value is RpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    'metadata' in value &&
    (value as RpcError).metadata instanceof Metadata
  );
}

export function toRpcError(error: unknown): RpcError {
  if (isRpcError(error)) return error;
  return unknownError(error instanceof Error ? error.message : String(error));
}
