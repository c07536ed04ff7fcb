import type { ResolvedEvent } from '../../store/link-resolution.ts';
import type { PositionedEvent } from '../../store/record-reader.ts';
import type { UuidForm } from '../codec.ts';
import { delimitedFieldSize, ProtobufWriter, varintFieldSize } from './protobuf-writer.ts';

/**
 * Hand-written encoder for `ReadResp{event: ReadEvent{...}}`, byte-for-byte what google-protobuf's
 * `serializeBinary()` produces (see the unit test), at a fraction of the cost: building a
 * message tree per event dominated reads and subscriptions. Field numbers and the "skip zero
 * scalars" rules come from the generated `serializeBinaryToWriter` functions in streams_pb.js and
 * shared_pb.js. Map entries are written sorted by key, as google-protobuf does.
 */

const jsonContentType = 'application/json';
const binaryContentType = 'application/octet-stream';
const uuidTextLength = 36;

/** RecordedEvent fields. */
const recordedId = 1;
const recordedStream = 2;
const recordedRevision = 3;
const recordedPrepare = 4;
const recordedCommit = 5;
const recordedMetadata = 6;
const recordedCustomMetadata = 7;
const recordedData = 8;
/** ReadEvent and ReadResp fields. */
const readEventEvent = 1;
const readEventLink = 2;
const readEventCommitPosition = 3;
const readEventNoPosition = 4;
const readRespEvent = 1;
/** UUID, UUID.Structured and StreamIdentifier fields. */
const uuidStructured = 1;
const uuidString = 2;
const structuredMost = 1;
const structuredLeast = 2;
const streamIdentifierName = 3;
/** Map entry fields. */
const entryKey = 1;
const entryValue = 2;

interface EventLayout {
  event: PositionedEvent;
  size: number;
  streamBytes: number;
  typeBytes: number;
  created: string;
  contentType: string;
  idSize: number;
  most: bigint;
  least: bigint;
}

/** Encodes one `ReadResp` carrying `resolved`, ready for the gRPC framer. */
export function encodeReadEventResponse(resolved: ResolvedEvent, uuidForm: UuidForm): Buffer {
  const event = resolved.event ? layoutOf(resolved.event, uuidForm) : undefined;
  const link = resolved.link ? layoutOf(resolved.link, uuidForm) : undefined;
  const original = resolved.link ?? resolved.event;
  let readEventSize = 0;
  if (event) readEventSize += delimitedFieldSize(readEventEvent, event.size);
  if (link) readEventSize += delimitedFieldSize(readEventLink, link.size);
  readEventSize += original
    ? varintFieldSize(readEventCommitPosition, original.position)
    : delimitedFieldSize(readEventNoPosition, 0);
  const writer = new ProtobufWriter(
    Buffer.allocUnsafe(delimitedFieldSize(readRespEvent, readEventSize)),
  );
  writer.delimitedHeader(readRespEvent, readEventSize);
  if (event) writeRecorded(writer, readEventEvent, event, uuidForm);
  if (link) writeRecorded(writer, readEventLink, link, uuidForm);
  if (original) writer.varintField(readEventCommitPosition, original.position);
  else writer.delimitedHeader(readEventNoPosition, 0);
  return writer.buffer;
}

function layoutOf(event: PositionedEvent, uuidForm: UuidForm): EventLayout {
  const streamBytes = Buffer.byteLength(event.streamName, 'utf8');
  const typeBytes = Buffer.byteLength(event.eventType, 'utf8');
  const created = createdTicksText(event.createdMs);
  const contentType = event.isJson ? jsonContentType : binaryContentType;
  const id = Buffer.from(event.eventId.buffer, event.eventId.byteOffset, event.eventId.byteLength);
  const most = uuidForm === 'string' ? 0n : id.readBigInt64BE(0);
  const least = uuidForm === 'string' ? 0n : id.readBigInt64BE(8);
  const idSize =
    uuidForm === 'string'
      ? delimitedFieldSize(uuidString, uuidTextLength)
      : delimitedFieldSize(
          uuidStructured,
          optionalVarintSize(structuredMost, most) + optionalVarintSize(structuredLeast, least),
        );
  let size = delimitedFieldSize(recordedId, idSize);
  size += delimitedFieldSize(
    recordedStream,
    streamBytes > 0 ? delimitedFieldSize(streamIdentifierName, streamBytes) : 0,
  );
  size += optionalVarintSize(recordedRevision, event.revision);
  size += 2 * optionalVarintSize(recordedPrepare, event.position);
  size += delimitedFieldSize(recordedMetadata, entrySize('content-type', contentType.length));
  size += delimitedFieldSize(recordedMetadata, entrySize('created', created.length));
  size += delimitedFieldSize(recordedMetadata, entrySize('type', typeBytes));
  if (event.metadata.length > 0)
    size += delimitedFieldSize(recordedCustomMetadata, event.metadata.length);
  if (event.data.length > 0) size += delimitedFieldSize(recordedData, event.data.length);
  return { event, size, streamBytes, typeBytes, created, contentType, idSize, most, least };
}

function writeRecorded(
  writer: ProtobufWriter,
  fieldNumber: number,
  layout: EventLayout,
  uuidForm: UuidForm,
): void {
  const { event } = layout;
  writer.delimitedHeader(fieldNumber, layout.size);
  writer.delimitedHeader(recordedId, layout.idSize);
  if (uuidForm === 'string') writeUuidText(writer, event.eventId);
  else writeStructuredUuid(writer, layout);
  writer.delimitedHeader(
    recordedStream,
    layout.streamBytes > 0 ? delimitedFieldSize(streamIdentifierName, layout.streamBytes) : 0,
  );
  if (layout.streamBytes > 0)
    writeUtf8Field(writer, streamIdentifierName, event.streamName, layout.streamBytes);
  if (event.revision !== 0n) writer.varintField(recordedRevision, event.revision);
  if (event.position !== 0n) {
    writer.varintField(recordedPrepare, event.position);
    writer.varintField(recordedCommit, event.position);
  }
  writeEntry(writer, 'content-type', layout.contentType, layout.contentType.length);
  writeEntry(writer, 'created', layout.created, layout.created.length);
  writeEntry(writer, 'type', event.eventType, layout.typeBytes);
  if (event.metadata.length > 0) writer.bytesField(recordedCustomMetadata, event.metadata);
  if (event.data.length > 0) writer.bytesField(recordedData, event.data);
}

function writeStructuredUuid(writer: ProtobufWriter, layout: EventLayout): void {
  writer.delimitedHeader(
    uuidStructured,
    optionalVarintSize(structuredMost, layout.most) +
      optionalVarintSize(structuredLeast, layout.least),
  );
  if (layout.most !== 0n) writer.varintField(structuredMost, layout.most);
  if (layout.least !== 0n) writer.varintField(structuredLeast, layout.least);
}

const hexDigits = '0123456789abcdef';
const dashAfterByte = new Set([3, 5, 7, 9]);

/** The canonical 8-4-4-4-12 lower-case form, written straight into the output. */
function writeUuidText(writer: ProtobufWriter, bytes: Uint8Array): void {
  writer.delimitedHeader(uuidString, uuidTextLength);
  const buffer = writer.buffer;
  let offset = writer.offset;
  for (let index = 0; index < 16; index += 1) {
    const byte = bytes[index] as number;
    buffer[offset] = hexDigits.charCodeAt(byte >> 4);
    buffer[offset + 1] = hexDigits.charCodeAt(byte & 0x0f);
    offset += 2;
    if (dashAfterByte.has(index)) {
      buffer[offset] = 0x2d;
      offset += 1;
    }
  }
  writer.offset = offset;
}

/** Map entries always carry both key and value, even empty ones. */
function entrySize(key: string, valueBytes: number): number {
  return delimitedFieldSize(entryKey, key.length) + delimitedFieldSize(entryValue, valueBytes);
}

function writeEntry(writer: ProtobufWriter, key: string, value: string, valueBytes: number): void {
  writer.delimitedHeader(recordedMetadata, entrySize(key, valueBytes));
  writer.asciiField(entryKey, key);
  writeUtf8Field(writer, entryValue, value, valueBytes);
}

function writeUtf8Field(
  writer: ProtobufWriter,
  fieldNumber: number,
  text: string,
  byteLength: number,
): void {
  writer.delimitedHeader(fieldNumber, byteLength);
  writer.offset += writer.buffer.write(text, writer.offset, byteLength, 'utf8');
}

/** proto3 scalars equal to zero are not written at all. */
function optionalVarintSize(fieldNumber: number, value: bigint): number {
  return value === 0n ? 0 : varintFieldSize(fieldNumber, value);
}

let lastCreatedMs = Number.NaN;
let lastCreatedText = '';

/**
 * `created` is .NET ticks (10,000 per ms) as decimal text. Appending "0000" to the integer
 * milliseconds multiplies exactly without BigInt; events of one append share the value.
 */
export function createdTicksText(createdMs: number): string {
  if (createdMs === lastCreatedMs) return lastCreatedText;
  const wholeMs = Math.trunc(createdMs);
  lastCreatedMs = createdMs;
  if (!Number.isSafeInteger(wholeMs)) lastCreatedText = (BigInt(wholeMs) * 10_000n).toString();
  else lastCreatedText = wholeMs === 0 ? '0' : `${wholeMs}0000`;
  return lastCreatedText;
}
