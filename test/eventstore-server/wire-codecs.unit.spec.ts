import { createRequire } from 'node:module';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchOutcomeResponse } from '../../infra/eventstore-server/grpc/batch-append-results.ts';
import { googleEmpty, shared, streams } from '../../infra/eventstore-server/grpc/protocol.ts';
import { eventResponse } from '../../infra/eventstore-server/grpc/read-messages.ts';
import {
  decodeBatchAppendRequest,
  type WireUuid,
} from '../../infra/eventstore-server/grpc/wire/batch-append-request-decoder.ts';
import { encodeBatchAppendSuccess } from '../../infra/eventstore-server/grpc/wire/batch-append-response-encoder.ts';
import { encodeReadEventResponse } from '../../infra/eventstore-server/grpc/wire/read-event-encoder.ts';
import type { ResolvedEvent } from '../../infra/eventstore-server/store/link-resolution.ts';
import type { ExpectedRevision } from '../../infra/eventstore-server/store/expected-revision.ts';
import type { PositionedEvent } from '../../infra/eventstore-server/store/record-reader.ts';
import type * as TimestampMessages from 'google-protobuf/google/protobuf/timestamp_pb.js';

// The Timestamp class must come from the same google-protobuf instance as the generated code.
const requireGenerated = createRequire(
  createRequire(import.meta.url).resolve('@eventstore/db-client/generated/streams_pb.js'),
);
const timestamp = requireGenerated(
  'google-protobuf/google/protobuf/timestamp_pb.js',
) as typeof TimestampMessages;

/** A deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const names = [
  '',
  'a',
  'orders-1',
  '$$orders-1',
  'ünïcødé-stream-😀',
  '$all',
  'x'.repeat(200),
  '\u0000odd',
];
const types = ['', 'Deposited', '$>', '$metadata', 'Typ€', 'y'.repeat(140)];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

function bigValue(random: () => number): bigint {
  const choices = [
    0n,
    1n,
    127n,
    128n,
    16_383n,
    16_384n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 53n + 1n,
    2n ** 63n - 1n,
    2n ** 64n - 1n,
  ];
  if (random() < 0.5) return pick(random, choices);
  return BigInt(Math.floor(random() * 2 ** 40)) * BigInt(1 + Math.floor(random() * 10_000));
}

function eventIdOf(random: () => number): Uint8Array {
  const special = [
    Buffer.alloc(16),
    Buffer.alloc(16, 0xff),
    Buffer.concat([Buffer.alloc(8), Buffer.alloc(8, 0x80)]),
  ];
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
        throw new Error(
          `round ${round} (${uuidForm}) differs:\n${actual.toString('hex')}\n${expected.toString('hex')}`,
        );
      }
    }
  });

  it('keeps positions above 2^53 exact', () => {
    const random = generator(7);
    const event = { ...randomEvent(random), position: 2n ** 64n - 2n, revision: 2n ** 63n - 1n };
    const resolved = { event, link: undefined };
    expect(encodeReadEventResponse(resolved, 'string')).toEqual(
      Buffer.from(eventResponse(resolved, 'string').serializeBinary()),
    );
  });
});

type GeneratedUuid = InstanceType<typeof shared.UUID>;

function randomUuidMessage(random: () => number): GeneratedUuid {
  const uuid = new shared.UUID();
  if (random() < 0.6)
    return uuid.setString(
      random() < 0.9 ? randomUUID() : pick(random, ['', 'not-a-uuid', '{' + randomUUID() + '}']),
    );
  const signed = () => BigInt.asIntN(64, bigValue(random)).toString();
  return uuid.setStructured(
    new shared.UUID.Structured().setMostSignificantBits(signed()).setLeastSignificantBits(signed()),
  );
}

function expectedOf(options: InstanceType<typeof streams.BatchAppendReq.Options>) {
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasAny()) return { kind: 'any' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'exact', revision: BigInt(options.getStreamPosition()) };
}

function randomBatchRequest(random: () => number) {
  const request = new streams.BatchAppendReq().setIsFinal(random() < 0.5);
  if (random() < 0.9) request.setCorrelationId(randomUuidMessage(random));
  if (random() < 0.7) {
    const options = new streams.BatchAppendReq.Options().setStreamIdentifier(
      new shared.StreamIdentifier().setStreamName(Buffer.from(pick(random, names), 'utf8')),
    );
    const expectation = random();
    if (expectation < 0.25) options.setNoStream(new googleEmpty.Empty());
    else if (expectation < 0.5) options.setAny(new googleEmpty.Empty());
    else if (expectation < 0.75) options.setStreamExists(new googleEmpty.Empty());
    else if (expectation < 0.95) options.setStreamPosition(bigValue(random).toString());
    if (random() < 0.8)
      options.setDeadline(
        new timestamp.Timestamp()
          .setSeconds(Math.floor(random() * 2e9))
          .setNanos(Math.floor(random() * 1e9)),
      );
    request.setOptions(options);
  }
  const count = Math.floor(random() * 4);
  for (let index = 0; index < count; index += 1) {
    const message = new streams.BatchAppendReq.ProposedMessage();
    if (random() < 0.9) message.setId(randomUuidMessage(random));
    if (random() < 0.9) message.getMetadataMap().set('type', pick(random, types));
    if (random() < 0.9)
      message
        .getMetadataMap()
        .set('content-type', pick(random, ['application/json', 'application/octet-stream', '']));
    if (random() < 0.2) message.getMetadataMap().set('extra', 'ü');
    if (random() < 0.8) message.setData(randomBytes(Math.floor(random() * 200)));
    if (random() < 0.5) message.setCustomMetadata(randomBytes(Math.floor(random() * 50)));
    request.addProposedMessages(message);
  }
  return request;
}

function viewOfUuid(uuid: GeneratedUuid | undefined): WireUuid | undefined {
  if (!uuid) return undefined;
  if (uuid.hasString()) return { form: 'string', text: uuid.getString() };
  const structured = uuid.getStructured();
  if (!structured) return undefined;
  return {
    form: 'structured',
    most: BigInt(structured.getMostSignificantBits()),
    least: BigInt(structured.getLeastSignificantBits()),
  };
}

describe('hand-written BatchAppendReq decoder', () => {
  it('reads what google-protobuf reads, for random requests', () => {
    const random = generator(99);
    for (let round = 0; round < 600; round += 1) {
      const bytes = randomBatchRequest(random).serializeBinary();
      const reference = streams.BatchAppendReq.deserializeBinary(bytes);
      const decoded = decodeBatchAppendRequest(Buffer.from(bytes));
      expect(decoded.isFinal).toBe(reference.getIsFinal());
      expect(decoded.correlationId).toEqual(viewOfUuid(reference.getCorrelationId()));
      const options = reference.getOptions();
      if (!options) expect(decoded.options).toBeUndefined();
      else {
        expect(Buffer.from(decoded.options?.streamName ?? [])).toEqual(
          Buffer.from(options.getStreamIdentifier()?.getStreamName_asU8() ?? []),
        );
        expect(decoded.options?.expected).toEqual(expectedOf(options));
        const deadline = options.getDeadline();
        expect(decoded.options?.deadlineMs).toBe(
          deadline
            ? deadline.getSeconds() * 1000 + Math.floor(deadline.getNanos() / 1e6)
            : undefined,
        );
      }
      const messages = reference.getProposedMessagesList();
      expect(decoded.proposedMessages).toHaveLength(messages.length);
      messages.forEach((message, index) => {
        const mine = decoded.proposedMessages[index];
        expect(mine?.id).toEqual(viewOfUuid(message.getId()));
        expect(Object.fromEntries(mine?.metadata ?? [])).toEqual(
          Object.fromEntries(message.getMetadataMap().entries() as Iterable<[string, string]>),
        );
        expect(Buffer.from(mine?.data ?? [])).toEqual(Buffer.from(message.getData_asU8()));
        expect(Buffer.from(mine?.customMetadata ?? [])).toEqual(
          Buffer.from(message.getCustomMetadata_asU8()),
        );
      });
    }
  });
});

describe('hand-written BatchAppendResp success encoder', () => {
  it('matches google-protobuf byte for byte', () => {
    const random = generator(4242);
    const expectations: ExpectedRevision[] = [
      { kind: 'any' },
      { kind: 'no_stream' },
      { kind: 'stream_exists' },
      { kind: 'exact', revision: 0n },
    ];
    for (let round = 0; round < 2_000; round += 1) {
      const correlation = randomUuidMessage(random);
      const streamName = pick(random, names);
      const expected =
        random() < 0.3
          ? { kind: 'exact' as const, revision: bigValue(random) }
          : pick(random, expectations);
      const lastRevision = random() < 0.1 ? -1n : bigValue(random) & ((1n << 63n) - 1n);
      const position = random() < 0.1 ? undefined : bigValue(random);
      const reference = batchOutcomeResponse(correlation, streamName, expected, {
        kind: 'success',
        lastRevision,
        position,
      });
      const actual = encodeBatchAppendSuccess({
        correlationId: viewOfUuid(correlation) as WireUuid,
        streamName: Buffer.from(streamName, 'utf8'),
        expected,
        lastRevision,
        position,
      });
      expect(actual.toString('hex')).toBe(Buffer.from(reference.serializeBinary()).toString('hex'));
    }
  });
});
