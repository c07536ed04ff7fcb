import { shared, type StreamIdentifier, type Uuid } from './protocol.ts';

/** u64 max: "no position" / `Position.End` on the wire. */
export const unknownPosition = '18446744073709551615';
const ticksPerMillisecond = 10_000n;
const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export type UuidForm = 'string' | 'structured';

/** Accepts both UUID encodings; returns the 16 canonical bytes, or undefined if malformed. */
export function uuidBytes(uuid: Uuid | undefined): Uint8Array | undefined {
  if (!uuid) return undefined;
  if (uuid.hasString()) {
    const text = uuid.getString().trim().replace(/^\{|\}$/g, '');
    if (!uuidPattern.test(text)) return undefined;
    return Buffer.from(text.replaceAll('-', ''), 'hex');
  }
  const structured = uuid.getStructured();
  if (!structured) return undefined;
  const bytes = Buffer.alloc(16);
  bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
  bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
  return bytes;
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
