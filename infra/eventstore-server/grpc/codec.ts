import { shared, type StreamIdentifier, type Uuid } from './protocol.ts';
import type { WireUuid } from './wire/batch-append-request-decoder.ts';

/** u64 max: "no position" / `Position.End` on the wire. */
export const unknownPosition = '18446744073709551615';
const ticksPerMillisecond = 10_000n;
const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export type UuidForm = 'string' | 'structured';

/** Accepts both UUID encodings; returns the 16 canonical bytes, or undefined if malformed. */
export function uuidBytes(uuid: Uuid | undefined): Uint8Array | undefined {
  if (!uuid) return undefined;
  if (uuid.hasString()) return uuidTextBytes(uuid.getString());
  const structured = uuid.getStructured();
  if (!structured) return undefined;
  return structuredUuidBytes(
    BigInt(structured.getMostSignificantBits()),
    BigInt(structured.getLeastSignificantBits()),
  );
}

/** The same for a UUID decoded by hand (wire/). */
export function wireUuidBytes(uuid: WireUuid | undefined): Uint8Array | undefined {
  if (!uuid) return undefined;
  return uuid.form === 'string'
    ? uuidTextBytes(uuid.text)
    : structuredUuidBytes(uuid.most, uuid.least);
}

function uuidTextBytes(raw: string): Uint8Array | undefined {
  const text = raw.trim().replace(/^\{|\}$/g, '');
  if (!uuidPattern.test(text)) return undefined;
  return Buffer.from(text.replaceAll('-', ''), 'hex');
}

function structuredUuidBytes(most: bigint, least: bigint): Uint8Array {
  const bytes = Buffer.alloc(16);
  bytes.writeBigInt64BE(most, 0);
  bytes.writeBigInt64BE(least, 8);
  return bytes;
}

/** A hand-decoded UUID back as a generated message, in the form the client sent. */
export function uuidMessageOfWire(uuid: WireUuid): Uuid {
  const message = new shared.UUID();
  if (uuid.form === 'string') return message.setString(uuid.text);
  const structured = new shared.UUID.Structured()
    .setMostSignificantBits(uuid.most.toString())
    .setLeastSignificantBits(uuid.least.toString());
  return message.setStructured(structured);
}

export function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidMessage(bytes: Uint8Array, form: UuidForm): Uuid {
  const uuid = new shared.UUID();
  if (form === 'string') return uuid.setString(uuidText(bytes));
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const structured = new shared.UUID.Structured()
    .setMostSignificantBits(buffer.readBigInt64BE(0).toString())
    .setLeastSignificantBits(buffer.readBigInt64BE(8).toString());
  return uuid.setStructured(structured);
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  if (!identifier) return '';
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(streamName: string): StreamIdentifier {
  return new shared.StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8'));
}

/** `created` travels as .NET ticks since the Unix epoch. */
export function createdTicks(createdMs: number): string {
  return (BigInt(Math.trunc(createdMs)) * ticksPerMillisecond).toString();
}

/** Parses a u64 decimal string from the wire without going through Number. */
export function parseUnsigned(text: string): bigint {
  return /^\d+$/.test(text) ? BigInt(text) : 0n;
}
