import type { ExpectedRevision } from '../../store/expected-revision.ts';
import { ProtobufReader } from './protobuf-reader.ts';

/**
 * Hand-written decoder for `BatchAppendReq`: google-protobuf's object tree per proposed event
 * was a large share of an append's server time. Field numbers come from the generated
 * `BatchAppendReq*.serializeBinaryToWriter` (streams_pb.js) and `UUID` (shared_pb.js). As in
 * protobuf, the last value of a repeated singular field or oneof wins, and unknown fields are
 * skipped. The unit test checks it against google-protobuf's own decoding.
 */

export type WireUuid =
  { form: 'string'; text: string } | { form: 'structured'; most: bigint; least: bigint };

export interface WireProposedEvent {
  id: WireUuid | undefined;
  metadata: Map<string, string>;
  customMetadata: Uint8Array;
  data: Uint8Array;
}

export interface BatchAppendOptions {
  streamName: Uint8Array;
  expected: ExpectedRevision;
  /** `deadline` as epoch milliseconds, when the client sent one. */
  deadlineMs: number | undefined;
}

export interface DecodedBatchAppendRequest {
  correlationId: WireUuid | undefined;
  options: BatchAppendOptions | undefined;
  proposedMessages: WireProposedEvent[];
  isFinal: boolean;
}

const wireVarint = 0;
const wireLengthDelimited = 2;
const emptyBytes = new Uint8Array(0);

export function decodeBatchAppendRequest(buffer: Uint8Array): DecodedBatchAppendRequest {
  const reader = new ProtobufReader(buffer);
  const request: DecodedBatchAppendRequest = {
    correlationId: undefined,
    options: undefined,
    proposedMessages: [],
    isFinal: false,
  };
  // Bounded by the message length: every iteration consumes at least the tag.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireLengthDelimited)
      request.correlationId = decodeUuid(reader.message(), request.correlationId);
    else if (field === 2 && wireType === wireLengthDelimited)
      request.options = decodeOptions(reader.message(), request.options);
    else if (field === 3 && wireType === wireLengthDelimited)
      request.proposedMessages.push(decodeProposed(reader.message()));
    else if (field === 4 && wireType === wireVarint) request.isFinal = reader.varint() !== 0;
    else reader.skip(wireType);
  }
  return request;
}

/** A repeated UUID field merges into the previous one, as protobuf merges sub-messages. */
export function decodeUuid(
  reader: ProtobufReader,
  previous: WireUuid | undefined,
): WireUuid | undefined {
  let uuid = previous;
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireLengthDelimited) {
      const base =
        uuid?.form === 'structured' ? uuid : { form: 'structured' as const, most: 0n, least: 0n };
      uuid = decodeStructured(reader.message(), base);
    } else if (field === 2 && wireType === wireLengthDelimited)
      uuid = { form: 'string', text: reader.string() };
    else reader.skip(wireType);
  }
  return uuid;
}

function decodeStructured(
  reader: ProtobufReader,
  base: Extract<WireUuid, { form: 'structured' }>,
): WireUuid {
  let { most, least } = base;
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireVarint) most = reader.int64();
    else if (field === 2 && wireType === wireVarint) least = reader.int64();
    else reader.skip(wireType);
  }
  return { form: 'structured', most, least };
}

function decodeOptions(
  reader: ProtobufReader,
  previous: BatchAppendOptions | undefined,
): BatchAppendOptions {
  const options: BatchAppendOptions = previous ?? {
    streamName: emptyBytes,
    expected: { kind: 'exact', revision: 0n },
    deadlineMs: undefined,
  };
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireLengthDelimited)
      options.streamName = decodeStreamName(reader.message(), options.streamName);
    else if (field === 2 && wireType === wireVarint)
      options.expected = { kind: 'exact', revision: reader.bigVarint() };
    else if (field === 3 && wireType === wireLengthDelimited)
      options.expected = emptyThen(reader, { kind: 'no_stream' });
    else if (field === 4 && wireType === wireLengthDelimited)
      options.expected = emptyThen(reader, { kind: 'any' });
    else if (field === 5 && wireType === wireLengthDelimited)
      options.expected = emptyThen(reader, { kind: 'stream_exists' });
    else if (field === 6 && wireType === wireLengthDelimited)
      options.deadlineMs = decodeTimestampMs(reader.message());
    else reader.skip(wireType);
  }
  return options;
}

function emptyThen(reader: ProtobufReader, expected: ExpectedRevision): ExpectedRevision {
  reader.bytes();
  return expected;
}

function decodeStreamName(reader: ProtobufReader, previous: Uint8Array): Uint8Array {
  let name = previous;
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const wireType = tag & 7;
    if (Math.floor(tag / 8) === 3 && wireType === wireLengthDelimited) name = reader.bytes();
    else reader.skip(wireType);
  }
  return name;
}

/** google.protobuf.Timestamp{int64 seconds = 1; int32 nanos = 2}. */
function decodeTimestampMs(reader: ProtobufReader): number {
  let seconds = 0;
  let nanos = 0;
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireVarint) seconds = Number(reader.int64());
    else if (field === 2 && wireType === wireVarint)
      nanos = Number(BigInt.asIntN(32, reader.bigVarint()));
    else reader.skip(wireType);
  }
  return seconds * 1000 + Math.floor(nanos / 1_000_000);
}

function decodeProposed(reader: ProtobufReader): WireProposedEvent {
  const message: WireProposedEvent = {
    id: undefined,
    metadata: new Map(),
    customMetadata: emptyBytes,
    data: emptyBytes,
  };
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireLengthDelimited)
      message.id = decodeUuid(reader.message(), message.id);
    else if (field === 2 && wireType === wireLengthDelimited)
      decodeMapEntry(reader.message(), message.metadata);
    else if (field === 3 && wireType === wireLengthDelimited)
      message.customMetadata = reader.bytes();
    else if (field === 4 && wireType === wireLengthDelimited) message.data = reader.bytes();
    else reader.skip(wireType);
  }
  return message;
}

/** map<string, string> entry: a missing key or value is the empty string. */
function decodeMapEntry(reader: ProtobufReader, map: Map<string, string>): void {
  let key = '';
  let value = '';
  // Bounded by the message length.
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === wireLengthDelimited) key = reader.string();
    else if (field === 2 && wireType === wireLengthDelimited) value = reader.string();
    else reader.skip(wireType);
  }
  map.set(key, value);
}
