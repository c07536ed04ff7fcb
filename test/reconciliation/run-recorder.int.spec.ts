import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedLine, ReconciliationEvent } from '../../domain/reconciliation/index.ts';
import { reconciliationStreamName } from '../../domain/reconciliation/index.ts';
import type { EventStore } from '../../infra/eventstore/event-store.ts';
import { runAggregate } from '../../infra/reconciliation/run-aggregate.ts';
import { RunRecorder } from '../../infra/reconciliation/run-recorder.ts';
import { RunWriter } from '../../infra/reconciliation/run-writer.ts';
import type { CommandContext } from '../../infra/write/event-metadata.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';

const context: CommandContext = {
  tenantId: 'acme',
  actor: 'test',
  source: 'reconciliation',
  correlationId: 'c',
  causationId: 'c',
};

function matched(lineNumber: number): RecordedLine {
  return {
    exceptionId: null,
    lineNumber,
    lineId: `txn_${lineNumber}`,
    outcome: 'matched',
    paymentId: `pay-${lineNumber}`,
    compensation: null,
    evidence: null,
  };
}

/** The real store, counting appends. */
function counting(store: EventStore): { store: EventStore; appends: () => number } {
  let appends = 0;
  const spy = Object.create(store) as EventStore;
  spy.append = (...args: Parameters<EventStore['append']>) => {
    appends += 1;
    return store.append(...args);
  };
  return { store: spy, appends: () => appends };
}

async function startedWriter(store: EventStore): Promise<RunWriter> {
  const runId = randomUUID();
  const { writer } = await RunWriter.open(store, runId);
  const at = '2025-03-01T00:00:00.000Z';
  await writer.execute(
    {
      type: 'StartReconciliationRun',
      data: {
        runId,
        tenantId: 'acme',
        fileName: 'r.csv',
        fileSha256: 'a'.repeat(64),
        format: 'stripe_balance_csv',
        lineCount: 3_000,
        periodStart: at,
        periodEnd: at,
        at,
      },
    },
    context,
  );
  return writer;
}

function recorderFor(
  writer: RunWriter,
  options: { appendBytesMax?: number; onRecorded?: (lines: number) => void } = {},
): RunRecorder {
  return new RunRecorder({
    writer,
    context,
    clock: () => new Date('2025-03-01T00:00:01.000Z'),
    eventBytesMax: 512 * 1024,
    appendBytesMax: options.appendBytesMax ?? 896 * 1024,
    queuedEventsMax: 16,
    ...(options.onRecorded === undefined ? {} : { onRecorded: options.onRecorded }),
  });
}

async function recordedBatches(store: EventStore, runId: string) {
  const stored = (await store.readStream(reconciliationStreamName(runId))) ?? [];
  return stored
    .map((event) => runAggregate.decode(event))
    .filter(
      (event): event is Extract<ReconciliationEvent, { type: 'ReconciliationBatchRecorded' }> =>
        event.type === 'ReconciliationBatchRecorded',
    );
}

function batchOf(first: number, count: number): RecordedLine[] {
  return Array.from({ length: count }, (_, index) => matched(first + index));
}

describe('recording a run while the next batches are decided', () => {
  let events: TestEventStore;

  beforeAll(async () => {
    events = await startTestEventStore();
  });

  afterAll(async () => {
    await events?.stop();
  });

  it('writes the batches queued behind a slow append together, in order', async () => {
    const { store, appends } = counting(events.eventStore);
    const writer = await startedWriter(store);
    const before = appends();
    const recorded: number[] = [];
    const recorder = recorderFor(writer, { onRecorded: (lines) => recorded.push(lines) });
    // Added without waiting: the first append is in flight while the rest queue up.
    for (let batch = 0; batch < 6; batch += 1) await recorder.add(batchOf(2 + batch * 500, 500));
    await recorder.flush();
    const batches = await recordedBatches(events.eventStore, writer.runId);
    expect(batches.map((event) => event.data.batchIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    const lineNumbers = batches.flatMap((event) => event.data.settled.lineNumbers);
    expect(lineNumbers).toEqual(Array.from({ length: 3_000 }, (_, index) => index + 2));
    expect(appends() - before).toBeLessThan(6);
    expect(recorded.reduce((sum, lines) => sum + lines, 0)).toBe(3_000);
    expect(writer.state?.linesRecorded).toBe(3_000);
  });

  it('keeps every append under its size bound: one event each when only one fits', async () => {
    const { store, appends } = counting(events.eventStore);
    const writer = await startedWriter(store);
    const before = appends();
    const recorder = recorderFor(writer, { appendBytesMax: 1 });
    for (let batch = 0; batch < 4; batch += 1) await recorder.add(batchOf(2 + batch * 10, 10));
    await recorder.flush();
    expect(appends() - before).toBe(4);
    expect((await recordedBatches(events.eventStore, writer.runId)).length).toBe(4);
  });

  it('fails every later call once an append fails, and writes nothing after it', async () => {
    const writer = await startedWriter(events.eventStore);
    // Another writer takes the next revision: this one's append now conflicts.
    const { writer: rival } = await RunWriter.open(events.eventStore, writer.runId);
    await rival.execute(
      {
        type: 'CompleteReconciliationRun',
        data: { runId: writer.runId, at: '2025-03-02T00:00:00Z' },
      },
      context,
    );
    const recorder = recorderFor(writer);
    await recorder.add(batchOf(2, 10)).catch(() => undefined);
    await expect(recorder.flush()).rejects.toThrow(/being written by another process/);
    await expect(recorder.add(batchOf(12, 10))).rejects.toThrow(/another process/);
    expect(await recordedBatches(events.eventStore, writer.runId)).toEqual([]);
  });
});
