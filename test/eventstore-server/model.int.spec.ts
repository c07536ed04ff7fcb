import {
  ANY,
  jsonEvent,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { AppendExpectedRevision } from '@eventstore/db-client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  failureOf,
  startHarness,
  uniqueStream,
  type Harness,
} from './support/server-harness.ts';

/** The reference: what a stream looks like to readers under ESDB's rules. */
interface ModelStream {
  lastRevision: number;
  tombstoned: boolean;
  softDeleted: boolean;
  hasMetadata: boolean;
  maxCount: number | undefined;
  truncateBefore: number | undefined;
}

type Expectation = 'any' | 'no_stream' | 'stream_exists' | 'current' | 'wrong';

type Operation =
  | { kind: 'append'; stream: number; expectation: Expectation; count: number }
  | { kind: 'delete'; stream: number }
  | { kind: 'tombstone'; stream: number }
  | { kind: 'max-count'; stream: number; maxCount: number }
  | { kind: 'read'; stream: number };

type Outcome = 'ok' | 'wrong-expected-version' | 'deleted' | 'not-found';

const streamIndex = fc.integer({ min: 0, max: 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      stream: streamIndex,
      expectation: fc.constantFrom<Expectation>(
        'any',
        'no_stream',
        'stream_exists',
        'current',
        'wrong',
      ),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), stream: streamIndex }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('tombstone' as const), stream: streamIndex }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('max-count' as const),
      stream: streamIndex,
      maxCount: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), stream: streamIndex }) },
);

function expectedOutcomeOfAppend(model: ModelStream, expectation: Expectation): Outcome {
  if (model.tombstoned) return 'deleted';
  switch (expectation) {
    case 'any':
    case 'current':
      return 'ok';
    case 'no_stream':
      return model.lastRevision === -1 || model.softDeleted ? 'ok' : 'wrong-expected-version';
    case 'stream_exists':
      if (model.softDeleted) return 'deleted';
      return model.lastRevision === -1 && !model.hasMetadata ? 'wrong-expected-version' : 'ok';
    case 'wrong':
      return 'wrong-expected-version';
    default: {
      const unreachable: never = expectation;
      return unreachable;
    }
  }
}

function applyAppend(model: ModelStream, count: number): void {
  if (model.softDeleted) {
    model.softDeleted = false;
    model.truncateBefore = model.lastRevision + 1;
  }
  model.lastRevision += count;
}

function visibleRevisions(model: ModelStream): number[] {
  let first = 0;
  if (model.maxCount !== undefined)
    first = Math.max(first, model.lastRevision - model.maxCount + 1);
  if (model.truncateBefore !== undefined) first = Math.max(first, model.truncateBefore);
  return Array.from(
    { length: Math.max(0, model.lastRevision - first + 1) },
    (_, index) => first + index,
  );
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof WrongExpectedVersionError) return 'wrong-expected-version';
  if (error instanceof StreamDeletedError) return 'deleted';
  if (error instanceof StreamNotFoundError) return 'not-found';
  throw error;
}

async function attempt(action: () => Promise<unknown>): Promise<Outcome> {
  try {
    await action();
    return 'ok';
  } catch (error) {
    return outcomeOf(error);
  }
}

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.stop());

function wireExpectation(model: ModelStream, expectation: Expectation): AppendExpectedRevision {
  if (expectation === 'any') return ANY;
  if (expectation === 'no_stream') return NO_STREAM;
  if (expectation === 'stream_exists') return STREAM_EXISTS;
  if (expectation === 'current')
    return model.lastRevision === -1 ? NO_STREAM : BigInt(model.lastRevision);
  return BigInt(model.lastRevision + 2);
}

async function step(names: string[], models: ModelStream[], op: Operation): Promise<void> {
  const name = names[op.stream] as string;
  const model = models[op.stream] as ModelStream;
  const client = harness.client;
  if (op.kind === 'append') {
    const expected = expectedOutcomeOfAppend(model, op.expectation);
    const events = Array.from({ length: op.count }, () =>
      jsonEvent({ type: 'Modelled', data: {} }),
    );
    const actual = await attempt(() =>
      client.appendToStream(name, events, {
        expectedRevision: wireExpectation(model, op.expectation),
      }),
    );
    expect(actual, `append ${op.expectation}`).toBe(expected);
    if (actual === 'ok') applyAppend(model, op.count);
  } else if (op.kind === 'delete') {
    const expected: Outcome = model.tombstoned
      ? 'deleted'
      : model.lastRevision === -1 && !model.hasMetadata
        ? 'wrong-expected-version'
        : 'ok';
    expect(await attempt(() => client.deleteStream(name)), 'delete').toBe(expected);
    if (expected === 'ok')
      Object.assign(model, {
        softDeleted: true,
        hasMetadata: true,
        maxCount: undefined,
        truncateBefore: undefined,
      });
  } else if (op.kind === 'tombstone') {
    expect(await attempt(() => client.tombstoneStream(name)), 'tombstone').toBe(
      model.tombstoned ? 'deleted' : 'ok',
    );
    model.tombstoned = true;
  } else if (op.kind === 'max-count') {
    expect(
      await attempt(() => client.setStreamMetadata(name, { maxCount: op.maxCount })),
      'metadata',
    ).toBe(model.tombstoned ? 'deleted' : 'ok');
    if (!model.tombstoned)
      Object.assign(model, {
        softDeleted: false,
        hasMetadata: true,
        maxCount: op.maxCount,
        truncateBefore: undefined,
      });
  } else {
    await checkRead(name, model);
  }
}

async function checkRead(name: string, model: ModelStream): Promise<void> {
  if (model.tombstoned) {
    expect(outcomeOf(await failureOf(() => collect(harness.client.readStream(name))))).toBe(
      'deleted',
    );
    return;
  }
  if (model.lastRevision === -1 || model.softDeleted) {
    expect(outcomeOf(await failureOf(() => collect(harness.client.readStream(name))))).toBe(
      'not-found',
    );
    return;
  }
  const events = await collect(harness.client.readStream(name));
  expect(events.map((resolved) => Number(resolved.event?.revision))).toEqual(
    visibleRevisions(model),
  );
}

describe('model-based: random operations against a reference model', () => {
  it('agrees with the model on every outcome and read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 20 }), async (operations) => {
        const names = [uniqueStream('model-a'), uniqueStream('model-b')];
        const models: ModelStream[] = names.map(() => ({
          lastRevision: -1,
          tombstoned: false,
          softDeleted: false,
          hasMetadata: false,
          maxCount: undefined,
          truncateBefore: undefined,
        }));
        for (const op of operations) await step(names, models, op);
        for (const [index, name] of names.entries())
          await checkRead(name, models[index] as ModelStream);
      }),
      { numRuns: 100 },
    );
  });
});
