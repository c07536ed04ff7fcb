import { crc32 } from './crc32.ts';

/**
 * One event as stored in the log. Layout (little-endian):
 * [u32 bodyLength][u32 crc32(body)] body = [u8 flags][i64 revision][f64 createdMs][16 id]
 * [u16 streamLength][u16 typeLength][u32 dataLength][u32 metadataLength] stream type data metadata
 */
export interface StoredEvent {
  streamName: string;
  revision: bigint;
  eventType: string;
  /** Raw 16 bytes of the event id (canonical UUID byte order). */
  eventId: Uint8Array;
  createdMs: number;
  isJson: boolean;
  /** Last record of an atomic append: recovery never keeps half of one. */
  endsTransaction: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
}

export const recordHeaderBytes = 8;
const fixedBodyBytes = 45;
const flagJson = 1;
const flagEndsTransaction = 2;
export const maximumNameBytes = 0xffff;

/**
 * Records of one append share their stream name and usually their type: remembering the last
 * encoding of each saves two string encodings per event.
 */
const lastEncoded = {
  streamName: '',
  streamBytes: Buffer.alloc(0),
  eventType: '',
  typeBytes: Buffer.alloc(0),
};

function nameBytes(event: StoredEvent): { streamBytes: Buffer; typeBytes: Buffer } {
  if (event.streamName !== lastEncoded.streamName) {
    lastEncoded.streamBytes = Buffer.from(event.streamName, 'utf8');
    lastEncoded.streamName = event.streamName;
  }
  if (event.eventType !== lastEncoded.eventType) {
    lastEncoded.typeBytes = Buffer.from(event.eventType, 'utf8');
    lastEncoded.eventType = event.eventType;
  }
  return lastEncoded;
}

export function encodeRecord(event: StoredEvent): Buffer {
  const { streamBytes, typeBytes } = nameBytes(event);
  if (streamBytes.length > maximumNameBytes || typeBytes.length > maximumNameBytes) {
    throw new RangeError('stream name or event type longer than 65535 bytes');
  }
  const bodyLength =
    fixedBodyBytes +
    streamBytes.length +
    typeBytes.length +
    event.data.length +
    event.metadata.length;
  const record = Buffer.allocUnsafe(recordHeaderBytes + bodyLength);
  let offset = recordHeaderBytes;
  record.writeUInt8(
    (event.isJson ? flagJson : 0) | (event.endsTransaction ? flagEndsTransaction : 0),
    offset,
  );
  record.writeBigInt64LE(event.revision, offset + 1);
  record.writeDoubleLE(event.createdMs, offset + 9);
  record.set(event.eventId, offset + 17);
  record.writeUInt16LE(streamBytes.length, offset + 33);
  record.writeUInt16LE(typeBytes.length, offset + 35);
  record.writeUInt32LE(event.data.length, offset + 37);
  record.writeUInt32LE(event.metadata.length, offset + 41);
  offset += fixedBodyBytes;
  record.set(streamBytes, offset);
  offset += streamBytes.length;
  record.set(typeBytes, offset);
  offset += typeBytes.length;
  record.set(event.data, offset);
  offset += event.data.length;
  record.set(event.metadata, offset);
  record.writeUInt32LE(bodyLength, 0);
  record.writeUInt32LE(crc32(record.subarray(recordHeaderBytes)), 4);
  return record;
}

export type RecordProbe =
  | { kind: 'complete'; totalBytes: number }
  | { kind: 'incomplete'; totalBytes: number }
  | { kind: 'corrupt' };

/** Checks the record starting at `offset` without decoding it. */
export function probeRecord(buffer: Buffer, offset: number, maximumBodyBytes: number): RecordProbe {
  const totalBytes = checkRecord(buffer, offset, maximumBodyBytes);
  if (totalBytes < 0) return { kind: 'corrupt' };
  if (totalBytes > 0) return { kind: 'complete', totalBytes };
  const available = buffer.length - offset;
  return {
    kind: 'incomplete',
    totalBytes:
      available < recordHeaderBytes
        ? recordHeaderBytes
        : recordHeaderBytes + buffer.readUInt32LE(offset),
  };
}

/**
 * Allocation-free check for the recovery scan: the record's total size when it is complete and
 * valid, 0 when the buffer ends inside it, -1 when it is corrupt.
 */
export function checkRecord(buffer: Buffer, offset: number, maximumBodyBytes: number): number {
  if (buffer.length - offset < recordHeaderBytes) return 0;
  const bodyLength = buffer.readUInt32LE(offset);
  if (bodyLength < fixedBodyBytes || bodyLength > maximumBodyBytes) return -1;
  const totalBytes = recordHeaderBytes + bodyLength;
  if (buffer.length - offset < totalBytes) return 0;
  const bodyStart = offset + recordHeaderBytes;
  const body = new Uint8Array(buffer.buffer, buffer.byteOffset + bodyStart, bodyLength);
  if (crc32(body) !== buffer.readUInt32LE(offset + 4)) return -1;
  const declared =
    fixedBodyBytes +
    buffer.readUInt16LE(bodyStart + 33) +
    buffer.readUInt16LE(bodyStart + 35) +
    buffer.readUInt32LE(bodyStart + 37) +
    buffer.readUInt32LE(bodyStart + 41);
  return declared === bodyLength ? totalBytes : -1;
}

export function endsTransactionAt(buffer: Buffer, offset: number): boolean {
  return ((buffer[offset + recordHeaderBytes] as number) & flagEndsTransaction) !== 0;
}

/** Where the header fields of the record at `offset` live, for readers that skip full decoding. */
export const recordFields = {
  flags: recordHeaderBytes,
  revision: recordHeaderBytes + 1,
  createdMs: recordHeaderBytes + 9,
  eventId: recordHeaderBytes + 17,
  streamLength: recordHeaderBytes + 33,
  typeLength: recordHeaderBytes + 35,
  dataLength: recordHeaderBytes + 37,
  metadataLength: recordHeaderBytes + 41,
  streamName: recordHeaderBytes + fixedBodyBytes,
} as const;

export function isJsonAt(buffer: Buffer, offset: number): boolean {
  return ((buffer[offset + recordHeaderBytes] as number) & flagJson) !== 0;
}

/** Decodes a record already validated by `probeRecord` (or read back from the durable region). */
export function decodeRecord(buffer: Buffer, offset: number): StoredEvent {
  const body = offset + recordHeaderBytes;
  const flags = buffer.readUInt8(body);
  const streamLength = buffer.readUInt16LE(body + 33);
  const typeLength = buffer.readUInt16LE(body + 35);
  const dataLength = buffer.readUInt32LE(body + 37);
  const metadataLength = buffer.readUInt32LE(body + 41);
  const streamStart = body + fixedBodyBytes;
  const typeStart = streamStart + streamLength;
  const dataStart = typeStart + typeLength;
  const metadataStart = dataStart + dataLength;
  return {
    streamName: buffer.toString('utf8', streamStart, typeStart),
    revision: buffer.readBigInt64LE(body + 1),
    eventType: buffer.toString('utf8', typeStart, dataStart),
    eventId: buffer.subarray(body + 17, body + 33),
    createdMs: buffer.readDoubleLE(body + 9),
    isJson: (flags & flagJson) !== 0,
    endsTransaction: (flags & flagEndsTransaction) !== 0,
    data: buffer.subarray(dataStart, metadataStart),
    metadata: buffer.subarray(metadataStart, metadataStart + metadataLength),
  };
}

export function recordLength(buffer: Buffer, offset: number): number {
  return recordHeaderBytes + buffer.readUInt32LE(offset);
}

/** Buffer's own slice decoder, without `toString`'s argument handling (hot in recovery). */
const utf8Slice = (
  Buffer.prototype as unknown as { utf8Slice: (this: Buffer, start: number, end: number) => string }
).utf8Slice;

export function utf8At(buffer: Buffer, start: number, end: number): string {
  return utf8Slice.call(buffer, start, end);
}
