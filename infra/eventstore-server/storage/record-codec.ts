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

export function encodeRecord(event: StoredEvent): Buffer {
  const streamBytes = Buffer.from(event.streamName, 'utf8');
  const typeBytes = Buffer.from(event.eventType, 'utf8');
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
  record.writeUInt8((event.isJson ? flagJson : 0) | (event.endsTransaction ? flagEndsTransaction : 0), offset);
  record.writeBigInt64LE(event.revision, offset + 1);
  record.writeDoubleLE(event.createdMs, offset + 9);
  record.set(event.eventId, offset + 17);
  record.writeUInt16LE(streamBytes.length, offset + 33);
  record.writeUInt16LE(typeBytes.length, offset + 35);
  record.writeUInt32LE(event.data.length, offset + 37);
  record.writeUInt32LE(event.metadata.length, offset + 41);
  offset += fixedBodyBytes;
  for (const part of [streamBytes, typeBytes, event.data, event.metadata]) {
    record.set(part, offset);
    offset += part.length;
  }
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
  if (buffer.length - offset < recordHeaderBytes) {
    return { kind: 'incomplete', totalBytes: recordHeaderBytes };
  }
  const bodyLength = buffer.readUInt32LE(offset);
  if (bodyLength < fixedBodyBytes || bodyLength > maximumBodyBytes) return { kind: 'corrupt' };
  const totalBytes = recordHeaderBytes + bodyLength;
  if (buffer.length - offset < totalBytes) return { kind: 'incomplete', totalBytes };
  const body = buffer.subarray(offset + recordHeaderBytes, offset + totalBytes);
  if (crc32(body) !== buffer.readUInt32LE(offset + 4)) return { kind: 'corrupt' };
  if (!bodyLayoutFits(body)) return { kind: 'corrupt' };
  return { kind: 'complete', totalBytes };
}

function bodyLayoutFits(body: Buffer): boolean {
  const declared =
    fixedBodyBytes +
    body.readUInt16LE(33) +
    body.readUInt16LE(35) +
    body.readUInt32LE(37) +
    body.readUInt32LE(41);
  return declared === body.length;
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
