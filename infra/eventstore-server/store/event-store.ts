import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lockDataDirectory, type DirectoryLock } from '../storage/directory-lock.ts';
import { LogFile, syncDirectory } from '../storage/log-file.ts';
import {
  encodeRecord,
  isJsonAt,
  recordFields,
  utf8At,
  type StoredEvent,
} from '../storage/record-codec.ts';
import { RecordTable } from '../storage/record-table.ts';
import { StreamIndex, type StreamState } from '../storage/stream-index.ts';
import { DurableSignal } from './durable-signal.ts';
import {
  decideAppend,
  type AppendDecision,
  type ExpectedRevision,
  type StreamView,
} from './expected-revision.ts';
import { RecentEventIds } from './recent-event-ids.ts';
import { RecordReader } from './record-reader.ts';
import {
  deletedStreamRevision,
  isMetastreamName,
  isSoftDeleted,
  metadataJson,
  metastreamOf,
  parseStreamMetadata,
  streamOfMetastream,
} from './stream-metadata.ts';
import { systemSeedEvents } from './system-seed.ts';

export interface ProposedEvent {
  eventId: Uint8Array;
  eventType: string;
  isJson: boolean;
  data: Uint8Array;
  metadata: Uint8Array;
}

export type WriteOutcome =
  | { kind: 'success'; lastRevision: bigint; position: bigint | undefined }
  | { kind: 'wrong-expected-version'; currentRevision: bigint }
  | { kind: 'stream-deleted' };

interface PlannedRecord {
  streamName: string;
  revision: bigint;
  event: ProposedEvent;
}

export const tombstoneEventType = '$streamDeleted';
export const metadataEventType = '$metadata';
const logFileName = 'events.log';
const recentEventIdCapacity = 100_000;
const pendingWriteBytesMax = 64 * 1024 * 1024;
const capacityWaitRoundsMax = 10_000;

/** The event store: one durable log, an in-memory index, and the write rules of ESDB. */
export class EventStore {
  readonly table = new RecordTable();
  readonly streams = new StreamIndex();
  readonly durableSignal = new DurableSignal();
  private readonly recentEventIds = new RecentEventIds(recentEventIdCapacity);
  private log!: LogFile;
  private lock: DirectoryLock | undefined;
  private recordReader!: RecordReader;
  private durableRecordCount = 0;
  private closed = false;

  private constructor(private readonly nowMs: () => number) {}

  static async open(
    dataDirectory: string,
    nowMs: () => number = Date.now,
    options: { lockWaitMs?: number; onLogFailure?: (error: Error) => void } = {},
  ): Promise<{ store: EventStore; droppedBytes: number }> {
    await mkdir(dataDirectory, { recursive: true });
    await syncDirectory(dataDirectory);
    // One server per directory (see directory-lock.ts), taken before the log is even read.
    const lock = await lockDataDirectory(
      dataDirectory,
      options.lockWaitMs === undefined ? {} : { waitMs: options.lockWaitMs },
    );
    const store = new EventStore(nowMs);
    let opened: Awaited<ReturnType<typeof LogFile.open>>;
    try {
      opened = await LogFile.open(
        join(dataDirectory, logFileName),
        (buffer, offset, position, totalBytes) =>
          store.indexRecovered(buffer, offset, position, totalBytes),
      );
    } catch (error) {
      await lock.release();
      throw error;
    }
    const { log, report } = opened;
    store.lock = lock;
    store.log = log;
    log.durableListener = (durableOffset) => store.markDurable(durableOffset);
    if (options.onLogFailure) log.failureListener = options.onLogFailure;
    store.recordReader = new RecordReader(log, store.table);
    store.durableRecordCount = store.table.count;
    store.rememberRecentIds();
    if (store.table.count === 0) {
      try {
        await store.seedSystemEvents();
      } catch (error) {
        await store.close();
        throw error;
      }
    }
    return { store, droppedBytes: report.droppedBytes };
  }

  get durableCount(): number {
    return this.durableRecordCount;
  }

  get reader(): RecordReader {
    return this.recordReader;
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.log.close();
    } finally {
      const lock = this.lock;
      this.lock = undefined;
      await lock?.release();
    }
  }

  async append(
    streamName: string,
    expected: ExpectedRevision,
    events: readonly ProposedEvent[],
  ): Promise<WriteOutcome> {
    await this.waitForWriteCapacity();
    const metastreamTarget = isMetastreamName(streamName)
      ? this.streams.find(streamOfMetastream(streamName))
      : undefined;
    if (metastreamTarget && metastreamTarget.tombstoneSequence >= 0)
      return { kind: 'stream-deleted' };
    const state = this.streams.find(streamName);
    const decision = decideAppend(
      this.viewOf(streamName, state),
      expected,
      events.map((event) => event.eventId),
    );
    if (decision.kind !== 'write') return this.settleWithoutWrite(state, decision);
    const lastRevision = BigInt(state?.eventCount ?? 0) - 1n;
    const planned: PlannedRecord[] = [];
    if (decision.recreate) planned.push(this.undeletePlan(streamName, lastRevision + 1n));
    events.forEach((event, index) =>
      planned.push({ streamName, revision: lastRevision + 1n + BigInt(index), event }),
    );
    return this.writePlanned(planned, lastRevision + BigInt(events.length));
  }

  async softDelete(streamName: string, expected: ExpectedRevision): Promise<WriteOutcome> {
    await this.waitForWriteCapacity();
    const state = this.streams.find(streamName);
    const view = this.viewOf(streamName, state);
    const decision = decideAppend(view, expected, []);
    if (decision.kind === 'stream-deleted' || decision.kind === 'wrong-expected-version')
      return decision;
    if (view.lastRevision < 0n && !view.hasMetastream)
      return { kind: 'wrong-expected-version', currentRevision: -1n };
    const plan = this.metadataPlan(streamName, metadataJson({}, deletedStreamRevision));
    return this.writePlanned([plan], plan.revision);
  }

  async tombstone(streamName: string, expected: ExpectedRevision): Promise<WriteOutcome> {
    await this.waitForWriteCapacity();
    const state = this.streams.find(streamName);
    const decision = decideAppend(this.viewOf(streamName, state), expected, []);
    if (decision.kind === 'stream-deleted' || decision.kind === 'wrong-expected-version')
      return decision;
    const event: ProposedEvent = {
      eventId: randomEventId(),
      eventType: tombstoneEventType,
      isJson: false,
      data: new Uint8Array(0),
      metadata: new Uint8Array(0),
    };
    return this.writePlanned(
      [{ streamName, revision: deletedStreamRevision, event }],
      deletedStreamRevision,
    );
  }

  /** Records below this count are durable and may be read. */
  visibleEventCount(state: StreamState): number {
    let count = state.eventCount;
    // Only the not-yet-durable tail is skipped; it is as long as the pending group commit.
    while (count > 0 && StreamIndex.sequenceOf(state, count - 1) >= this.durableRecordCount)
      count -= 1;
    return count;
  }

  isTombstoneDurable(state: StreamState): boolean {
    return state.tombstoneSequence >= 0 && state.tombstoneSequence < this.durableRecordCount;
  }

  private viewOf(streamName: string, state: StreamState | undefined): StreamView {
    const metastreamTarget = isMetastreamName(streamName) ? undefined : state;
    return {
      lastRevision: BigInt(state?.eventCount ?? 0) - 1n,
      tombstoned: (state?.tombstoneSequence ?? -1) >= 0,
      softDeleted: isSoftDeleted(metastreamTarget?.metadata),
      hasMetastream: (this.streams.find(metastreamOf(streamName))?.eventCount ?? 0) > 0,
      eventIdAt: (revision, eventId) =>
        state !== undefined &&
        revision >= 0n &&
        revision < BigInt(state.eventCount) &&
        this.table.sameEventId(StreamIndex.sequenceOf(state, Number(revision)), eventId),
      revisionOfEventId: (eventId) => {
        const sequence = this.recentEventIds.sequenceOf(eventId);
        if (sequence === undefined || state === undefined) return undefined;
        if (this.table.streamNumberAt(sequence) !== state.number) return undefined;
        return this.table.revisionAt(sequence);
      },
    };
  }

  private async settleWithoutWrite(
    state: StreamState | undefined,
    decision: Exclude<AppendDecision, { kind: 'write' }>,
  ): Promise<WriteOutcome> {
    if (decision.kind !== 'idempotent') return decision;
    if (decision.lastRevision < 0n || state === undefined)
      return { kind: 'success', lastRevision: decision.lastRevision, position: undefined };
    const sequence = StreamIndex.sequenceOf(state, Number(decision.lastRevision));
    await this.log.waitDurable(
      this.table.positionAt(sequence) + BigInt(this.table.totalBytesAt(sequence)),
    );
    return {
      kind: 'success',
      lastRevision: decision.lastRevision,
      position: this.table.positionAt(sequence),
    };
  }

  private undeletePlan(streamName: string, truncateBefore: bigint): PlannedRecord {
    const otherKeys = this.streams.find(streamName)?.metadata?.otherKeys ?? {};
    return this.metadataPlan(streamName, metadataJson(otherKeys, truncateBefore));
  }

  private metadataPlan(streamName: string, json: string): PlannedRecord {
    const metastreamName = metastreamOf(streamName);
    const metastream = this.streams.find(metastreamName);
    const event: ProposedEvent = {
      eventId: randomEventId(),
      eventType: metadataEventType,
      isJson: true,
      data: Buffer.from(json, 'utf8'),
      metadata: new Uint8Array(0),
    };
    return { streamName: metastreamName, revision: BigInt(metastream?.eventCount ?? 0), event };
  }

  private async writePlanned(
    planned: readonly PlannedRecord[],
    lastRevision: bigint,
  ): Promise<WriteOutcome> {
    if (planned.length === 0) return { kind: 'success', lastRevision, position: undefined };
    const createdMs = this.nowMs();
    const stored: StoredEvent[] = new Array(planned.length);
    const records: Buffer[] = new Array(planned.length);
    // Bounded by the append's size (at most the 1 MiB MaxAppendSize of events).
    for (let index = 0; index < planned.length; index += 1) {
      const plan = planned[index] as PlannedRecord;
      const { event } = plan;
      const storedEvent: StoredEvent = {
        streamName: plan.streamName,
        revision: plan.revision,
        eventType: event.eventType,
        eventId: event.eventId,
        createdMs,
        isJson: event.isJson,
        endsTransaction: index === planned.length - 1,
        data: event.data,
        metadata: event.metadata,
      };
      stored[index] = storedEvent;
      records[index] = encodeRecord(storedEvent);
    }
    const { positions, durable } = this.log.enqueue(records);
    for (let index = 0; index < stored.length; index += 1) {
      const record = records[index] as Buffer;
      const event = stored[index] as StoredEvent;
      const sequence = this.indexRecord(event, positions[index] as bigint, record.length);
      this.recentEventIds.remember(event.eventId, sequence);
      this.recordReader.rememberWritten(sequence, record);
    }
    await durable;
    return { kind: 'success', lastRevision, position: positions[positions.length - 1] };
  }

  private indexRecord(event: StoredEvent, position: bigint, totalBytes: number): number {
    const state = this.streams.findOrCreate(event.streamName);
    const sequence = this.table.add({
      position,
      totalBytes,
      streamNumber: state.number,
      revision: event.revision,
      typeNumber: this.streams.internType(event.eventType),
      createdMs: event.createdMs,
      eventId: event.eventId,
    });
    this.linkToStream(state, sequence, event.revision, event.eventType);
    if (isMetastreamName(event.streamName))
      this.applyMetadata(event.streamName, event.data, event.isJson);
    return sequence;
  }

  /** Recovery: reads only the header fields the index needs, straight from the record bytes. */
  private indexRecovered(
    buffer: Buffer,
    offset: number,
    position: bigint,
    totalBytes: number,
  ): void {
    const streamStart = offset + recordFields.streamName;
    const typeStart = streamStart + buffer.readUInt16LE(offset + recordFields.streamLength);
    const dataStart = typeStart + buffer.readUInt16LE(offset + recordFields.typeLength);
    const streamName = utf8At(buffer, streamStart, typeStart);
    const eventType = utf8At(buffer, typeStart, dataStart);
    const revision = buffer.readBigInt64LE(offset + recordFields.revision);
    const state = this.streams.findOrCreate(streamName);
    const header = {
      position,
      totalBytes,
      streamNumber: state.number,
      revision,
      typeNumber: this.streams.internType(eventType),
      createdMs: buffer.readDoubleLE(offset + recordFields.createdMs),
    };
    const sequence = this.table.addFromRecord(header, buffer, offset + recordFields.eventId);
    this.linkToStream(state, sequence, revision, eventType);
    if (isMetastreamName(streamName)) {
      const data = buffer.subarray(
        dataStart,
        dataStart + buffer.readUInt32LE(offset + recordFields.dataLength),
      );
      this.applyMetadata(streamName, data, isJsonAt(buffer, offset));
    }
  }

  private linkToStream(
    state: StreamState,
    sequence: number,
    revision: bigint,
    eventType: string,
  ): void {
    if (revision === deletedStreamRevision && eventType === tombstoneEventType)
      state.tombstoneSequence = sequence;
    else StreamIndex.addRevision(state, sequence);
  }

  private applyMetadata(metastreamName: string, data: Uint8Array, isJson: boolean): void {
    const target = this.streams.findOrCreate(streamOfMetastream(metastreamName));
    target.metadata = parseStreamMetadata(data, isJson);
  }

  /** Called by the log after each group commit. */
  markDurable(durableOffset: bigint): void {
    const count = this.table.firstAtOrAfter(durableOffset);
    if (count <= this.durableRecordCount) return;
    this.durableRecordCount = count;
    this.durableSignal.notify();
  }

  private rememberRecentIds(): void {
    const first = Math.max(0, this.table.count - recentEventIdCapacity);
    for (let sequence = first; sequence < this.table.count; sequence += 1) {
      this.recentEventIds.remember(this.table.eventIdAt(sequence), sequence);
    }
  }

  private async waitForWriteCapacity(): Promise<void> {
    if (this.closed) throw new Error('event store is closed');
    // Bounded: each round waits for everything reserved so far, which empties the queue.
    for (
      let round = 0;
      round < capacityWaitRoundsMax && this.log.pendingByteCount > pendingWriteBytesMax;
      round += 1
    ) {
      await this.log.waitDurable(this.log.endOffset);
    }
  }

  private async seedSystemEvents(): Promise<void> {
    for (const seed of systemSeedEvents()) {
      await this.append(seed.streamName, { kind: 'any' }, [seed.event]);
    }
  }
}

function randomEventId(): Uint8Array {
  const hex = randomUUID().replaceAll('-', '');
  return Buffer.from(hex, 'hex');
}
