import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventResponse } from '../../infra/eventstore-server/grpc/read-messages.ts';
import { encodeReadEventResponse } from '../../infra/eventstore-server/grpc/wire/read-event-encoder.ts';
import type { ResolvedEvent } from '../../infra/eventstore-server/store/link-resolution.ts';
import type { PositionedEvent } from '../../infra/eventstore-server/store/record-reader.ts';

/** A deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const names = ['', 'a', 'orders-1', '$$orders-1', 'ünïcødé-stream-😀', '$all', 'x'.repeat(200), '\u0000odd'];
const types = ['', 'Deposited', '$>', '$metadata', 'Typ€', 'y'.repeat(140)];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function bigValue(random: () => number): bigint {
  const choices = [0n, 1n, 127n, 128n, 16_383n, 16_384n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n];
  if (random() < 0.5) return pick(random, choices);
  return BigInt(Math.floor(random() * 2 ** 40)) * BigInt(1 + Math.floor(random() * 10_000));
}

function eventIdOf(random: () => number): Uint8Array {
  const special = [Buffer.alloc(16), Buffer.alloc(16, 0xff), Buffer.concat([Buffer.alloc(8), Buffer.alloc(8, 0x80)])];
  return random() < 0.2 ? pick(random, special) : randomBytes(16);
}

function randomEvent(random: () => number): PositionedEvent {
  const revision = bigValue(random) & ((1n << 63n) - 1n);
  const createdChoices = [0, 1, 1_700_000_000_123.7, 253_402_300_799_999, Date.now()];
  return {
    streamName: pick(random, names),
    revision,
    eventType: pick(random, types),
    eventId: eventIdOf(random),
    createdMs: pick(random, createdChoices),
    isJson: random() < 0.5,
    endsTransaction: true,
    data: random() < 0.2 ? new Uint8Array(0) : randomBytes(Math.floor(random() * 300)),
    metadata: random() < 0.5 ? new Uint8Array(0) : randomBytes(Math.floor(random() * 200)),
    sequence: 0,
    position: bigValue(random),
  };
}

function resolvedOf(random: () => number): ResolvedEvent {
  const shape = random();
  if (shape < 0.6) return { event: randomEvent(random), link: undefined };
  if (shape < 0.8) return { event: randomEvent(random), link: randomEvent(random) };
  if (shape < 0.95) return { event: undefined, link: randomEvent(random) };
  return { event: undefined, link: undefined };
}

describe('hand-written ReadResp encoder', () => {
  it('matches google-protobuf byte for byte on random events, in both UUID forms', () => {
    const random = generator(20_240_601);
    for (let round = 0; round < 3_000; round += 1) {
      const resolved = resolvedOf(random);
      const uuidForm = round % 2 === 0 ? 'string' : 'structured';
      const expected = Buffer.from(eventResponse(resolved, uuidForm).serializeBinary());
      const actual = encodeReadEventResponse(resolved, uuidForm);
      if (!actual.equals(expected)) {
        throw new Error(`round ${round} (${uuidForm}) differs:\n${actual.toString('hex')}\n${expected.toString('hex')}`);
      }
    }
  });

  it('keeps positions above 2^53 exact', () => {
    const random = generator(7);
    const event = { ...randomEvent(random), position: 2n ** 64n - 2n, revision: 2n ** 63n - 1n };
    const resolved = { event, link: undefined };
    expect(encodeReadEventResponse(resolved, 'string')).toEqual(Buffer.from(eventResponse(resolved, 'string').serializeBinary()));
  });
});
