import { randomUUID } from 'node:crypto';
import { uuidBytes } from '../../infra/eventstore-server/grpc/codec.ts';
import { shared } from '../../infra/eventstore-server/grpc/protocol.ts';
import { encodeReadEventResponse } from '../../infra/eventstore-server/grpc/wire/read-event-encoder.ts';

/** Distinct messages cycled through: enough that no two neighbours are the same bytes. */
const ringSize = 1_024;

/** JSON data of about `dataBytes` bytes, shaped like the bench's events. */
function dataOf(index: number, dataBytes: number): Uint8Array {
  const base = { accountId: `acc-${index % 10_000}`, amountMinor: String(index), currency: 'EUR' };
  const filler = Math.max(0, dataBytes - Buffer.byteLength(JSON.stringify(base)) - 10);
  return Buffer.from(JSON.stringify({ ...base, note: 'x'.repeat(filler) }));
}

/**
 * `ReadResp` event messages as the server sends them (its own encoder, string UUIDs, as the
 * official client asks), for events of the bench's shape: one stream each, JSON data of about
 * `dataBytes` bytes, no custom metadata.
 */
export function encodedReadRing(dataBytes: number): Buffer[] {
  const createdMs = Date.now();
  return Array.from({ length: ringSize }, (_, index) => {
    const event = {
      streamName: `bench-100-0-${randomUUID()}`,
      revision: BigInt(index),
      eventType: 'BenchEvent',
      eventId: uuidBytes(new shared.UUID().setString(randomUUID()))!,
      createdMs,
      isJson: true,
      endsTransaction: true,
      data: dataOf(index, dataBytes),
      metadata: new Uint8Array(0),
      sequence: index,
      position: BigInt(index) * 256n,
    };
    return encodeReadEventResponse({ event, link: undefined }, 'string');
  });
}
