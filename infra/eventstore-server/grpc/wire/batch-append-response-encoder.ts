import type { ExpectedRevision } from '../../store/expected-revision.ts';
import type { WireUuid } from './batch-append-request-decoder.ts';
import { delimitedFieldSize, ProtobufWriter, varintFieldSize } from './protobuf-writer.ts';

/**
 * Hand-written encoder for the successful `BatchAppendResp`, the one answer on the append hot
 * path; errors stay with google-protobuf. Field numbers come from the generated
 * `BatchAppendResp*.serializeBinaryToWriter` (streams_pb.js) and `AllStreamPosition`/`UUID`
 * (shared_pb.js); the unit test compares the bytes with google-protobuf's.
 */

/** BatchAppendResp fields. */
const respCorrelationId = 1;
const respSuccess = 3;
const respStreamIdentifier = 4;
const respStreamPosition = 5;
const respNoStream = 6;
const respAny = 7;
const respStreamExists = 8;
/** Success fields. */
const successCurrentRevision = 1;
const successNoStream = 2;
const successPosition = 3;
const successNoPosition = 4;
/** AllStreamPosition, StreamIdentifier and UUID fields. */
const positionCommit = 1;
const positionPrepare = 2;
const streamIdentifierName = 3;
const uuidStructured = 1;
const uuidString = 2;

export interface BatchSuccess {
  correlationId: WireUuid;
  streamName: Uint8Array;
  expected: ExpectedRevision;
  /** -1 when the stream has no events. */
  lastRevision: bigint;
  position: bigint | undefined;
}

export function encodeBatchAppendSuccess(success: BatchSuccess): Buffer {
  const uuidSize = wireUuidSize(success.correlationId);
  const successSize = successBodySize(success);
  const streamSize =
    success.streamName.length > 0
      ? delimitedFieldSize(streamIdentifierName, success.streamName.length)
      : 0;
  const size =
    delimitedFieldSize(respCorrelationId, uuidSize) +
    delimitedFieldSize(respSuccess, successSize) +
    delimitedFieldSize(respStreamIdentifier, streamSize) +
    expectedSize(success.expected);
  const writer = new ProtobufWriter(Buffer.allocUnsafe(size));
  writer.delimitedHeader(respCorrelationId, uuidSize);
  writeWireUuid(writer, success.correlationId);
  writer.delimitedHeader(respSuccess, successSize);
  writeSuccessBody(writer, success);
  writer.delimitedHeader(respStreamIdentifier, streamSize);
  if (streamSize > 0) writer.bytesField(streamIdentifierName, success.streamName);
  writeExpected(writer, success.expected);
  return writer.buffer;
}

function successBodySize(success: BatchSuccess): number {
  const revisionSize =
    success.lastRevision >= 0n
      ? varintFieldSize(successCurrentRevision, success.lastRevision)
      : delimitedFieldSize(successNoStream, 0);
  if (success.position === undefined)
    return revisionSize + delimitedFieldSize(successNoPosition, 0);
  return revisionSize + delimitedFieldSize(successPosition, positionSize(success.position));
}

function writeSuccessBody(writer: ProtobufWriter, success: BatchSuccess): void {
  if (success.lastRevision >= 0n) writer.varintField(successCurrentRevision, success.lastRevision);
  else writer.delimitedHeader(successNoStream, 0);
  if (success.position === undefined) {
    writer.delimitedHeader(successNoPosition, 0);
    return;
  }
  writer.delimitedHeader(successPosition, positionSize(success.position));
  if (success.position !== 0n) {
    writer.varintField(positionCommit, success.position);
    writer.varintField(positionPrepare, success.position);
  }
}

/** commit == prepare for every appended record; zero scalars are skipped. */
function positionSize(position: bigint): number {
  return position === 0n
    ? 0
    : varintFieldSize(positionCommit, position) + varintFieldSize(positionPrepare, position);
}

function expectedSize(expected: ExpectedRevision): number {
  if (expected.kind === 'exact') return varintFieldSize(respStreamPosition, expected.revision);
  return delimitedFieldSize(respNoStream, 0);
}

function writeExpected(writer: ProtobufWriter, expected: ExpectedRevision): void {
  if (expected.kind === 'exact') writer.varintField(respStreamPosition, expected.revision);
  else if (expected.kind === 'no_stream') writer.delimitedHeader(respNoStream, 0);
  else if (expected.kind === 'any') writer.delimitedHeader(respAny, 0);
  else writer.delimitedHeader(respStreamExists, 0);
}

export function wireUuidSize(uuid: WireUuid): number {
  if (uuid.form === 'string')
    return delimitedFieldSize(uuidString, Buffer.byteLength(uuid.text, 'utf8'));
  return delimitedFieldSize(uuidStructured, structuredSize(uuid.most, uuid.least));
}

export function writeWireUuid(writer: ProtobufWriter, uuid: WireUuid): void {
  if (uuid.form === 'string') {
    writer.bytesField(uuidString, Buffer.from(uuid.text, 'utf8'));
    return;
  }
  writer.delimitedHeader(uuidStructured, structuredSize(uuid.most, uuid.least));
  if (uuid.most !== 0n) writer.varintField(1, uuid.most);
  if (uuid.least !== 0n) writer.varintField(2, uuid.least);
}

function structuredSize(most: bigint, least: bigint): number {
  return (
    (most === 0n ? 0 : varintFieldSize(1, most)) + (least === 0n ? 0 : varintFieldSize(2, least))
  );
}
