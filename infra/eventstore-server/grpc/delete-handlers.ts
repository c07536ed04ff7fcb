import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { EventStore, WriteOutcome } from '../store/event-store.ts';
import type { ExpectedRevision } from '../store/expected-revision.ts';
import { streamNameOf } from './codec.ts';
import {
  invalidArgumentError,
  streamDeletedError,
  toRpcError,
  wrongExpectedVersionError,
} from './errors.ts';
import { expectedRevisionOf } from './expected-revision-wire.ts';
import {
  shared,
  streams,
  type DeleteRequest,
  type DeleteResponse,
  type TombstoneRequest,
  type TombstoneResponse,
} from './protocol.ts';

type Operation = 'soft-delete' | 'tombstone';

interface DeleteLikeResponse {
  setNoPosition(value?: InstanceType<typeof shared.Empty>): unknown;
}

/** Outcome of Delete/Tombstone: WEV and stream-deleted travel as trailers here, not in-band. */
async function runDeletion(
  store: EventStore,
  operation: Operation,
  streamName: string,
  expected: ExpectedRevision,
): Promise<bigint | undefined> {
  const outcome: WriteOutcome =
    operation === 'soft-delete'
      ? await store.softDelete(streamName, expected)
      : await store.tombstone(streamName, expected);
  if (outcome.kind === 'stream-deleted') throw streamDeletedError(streamName);
  if (outcome.kind === 'wrong-expected-version')
    throw wrongExpectedVersionError(streamName, expected, outcome.currentRevision);
  return outcome.position;
}

function withPosition<Response extends DeleteLikeResponse>(
  response: Response,
  position: bigint | undefined,
  setPosition: (commitAndPrepare: string) => void,
): Response {
  if (position === undefined) response.setNoPosition(new shared.Empty());
  else setPosition(position.toString());
  return response;
}

export function deleteHandler(store: EventStore) {
  return (
    call: ServerUnaryCall<DeleteRequest, DeleteResponse>,
    callback: sendUnaryData<DeleteResponse>,
  ): void => {
    const options = call.request.getOptions();
    if (!options) return callback(invalidArgumentError('Delete without options.'));
    const streamName = streamNameOf(options.getStreamIdentifier());
    runDeletion(
      store,
      'soft-delete',
      streamName,
      expectedRevisionOf(options, () => options.getRevision()),
    ).then(
      (position) => {
        const response = new streams.DeleteResp();
        callback(
          null,
          withPosition(response, position, (text) =>
            response.setPosition(
              new streams.DeleteResp.Position().setCommitPosition(text).setPreparePosition(text),
            ),
          ),
        );
      },
      (error: unknown) => callback(toRpcError(error)),
    );
  };
}

export function tombstoneHandler(store: EventStore) {
  return (
    call: ServerUnaryCall<TombstoneRequest, TombstoneResponse>,
    callback: sendUnaryData<TombstoneResponse>,
  ): void => {
    const options = call.request.getOptions();
    if (!options) return callback(invalidArgumentError('Tombstone without options.'));
    const streamName = streamNameOf(options.getStreamIdentifier());
    runDeletion(
      store,
      'tombstone',
      streamName,
      expectedRevisionOf(options, () => options.getRevision()),
    ).then(
      (position) => {
        const response = new streams.TombstoneResp();
        callback(
          null,
          withPosition(response, position, (text) =>
            response.setPosition(
              new streams.TombstoneResp.Position().setCommitPosition(text).setPreparePosition(text),
            ),
          ),
        );
      },
      (error: unknown) => callback(toRpcError(error)),
    );
  };
}
