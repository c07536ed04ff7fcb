import { randomUUID } from 'node:crypto';
import { appendFile, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, tableCrc32 } from '../../infra/eventstore-server/storage/crc32.ts';
import { LogFile } from '../../infra/eventstore-server/storage/log-file.ts';
import {
  decodeRecord,
  encodeRecord,
  probeRecord,
  type StoredEvent,
} from '../../infra/eventstore-server/storage/record-codec.ts';
import {
  decideAppend,
  type StreamView,
} from '../../infra/eventstore-server/store/expected-revision.ts';
import {
  deletedStreamRevision,
  metadataJson,
  parseStreamMetadata,
} from '../../infra/eventstore-server/store/stream-metadata.ts';
import { temporaryDirectory } from './support/server-harness.ts';

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0))
    await rm(directory, { recursive: true, force: true });
});

function storedEvent(index: number, endsTransaction = true): StoredEvent {
  return {
    streamName: `stream-${index % 3}`,
    revision: BigInt(index),
    eventType: 'Stored',
    eventId: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'),
    createdMs: 1_700_000_000_000 + index,
    isJson: true,
    endsTransaction,
    data: Buffer.from(JSON.stringify({ index })),
    metadata: Buffer.from('{}'),
  };
}

async function openLog(filePath: string) {
  const recovered: { event: StoredEvent; position: bigint }[] = [];
  const { log, report } = await LogFile.open(filePath, (buffer, offset, position) => {
    // The scan buffer is reused after the callback, so keep copies.
    const event = decodeRecord(
      Buffer.from(buffer.subarray(offset, offset + buffer.readUInt32LE(offset) + 8)),
      0,
    );
    recovered.push({ event, position });
  });
  return { log, report, recovered };
}

describe('record codec', () => {
  it('round-trips every field and detects corruption', () => {
    const event = storedEvent(7);
    const record = encodeRecord(event);
    expect(probeRecord(record, 0, 1 << 20)).toEqual({
      kind: 'complete',
      totalBytes: record.length,
    });
    const decoded = decodeRecord(record, 0);
    expect({
      ...decoded,
      eventId: Buffer.from(decoded.eventId),
      data: Buffer.from(decoded.data),
      metadata: Buffer.from(decoded.metadata),
    }).toEqual({ ...event, eventId: Buffer.from(event.eventId) });
    const flipped = Buffer.from(record);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 0xff;
    expect(probeRecord(flipped, 0, 1 << 20).kind).toBe('corrupt');
    expect(probeRecord(record.subarray(0, record.length - 3), 0, 1 << 20).kind).toBe('incomplete');
  });

  it('computes the same crc32 natively and with the table', () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(0x414fa339);
    expect(tableCrc32(data)).toBe(0x414fa339);
  });
});

describe('log file', () => {
  it('recovers what was written, at increasing positions', async () => {
    const directory = await temporaryDirectory('esdb-log-');
    directories.push(directory);
    const filePath = join(directory, 'events.log');
    const first = await openLog(filePath);
    const { positions, durable } = first.log.enqueue([
      encodeRecord(storedEvent(0)),
      encodeRecord(storedEvent(1)),
    ]);
    await durable;
    await first.log.close();
    const second = await openLog(filePath);
    expect(second.recovered.map((entry) => entry.position)).toEqual(positions);
    expect(positions[0]).toBeGreaterThan(0n);
    await second.log.close();
  });

  it('truncates a torn tail and an incomplete transaction', async () => {
    const directory = await temporaryDirectory('esdb-log-');
    directories.push(directory);
    const filePath = join(directory, 'events.log');
    const { log } = await openLog(filePath);
    await log.enqueue([encodeRecord(storedEvent(0))]).durable;
    await log.close();
    const goodBytes = (await stat(filePath)).size;
    const halfTransaction = encodeRecord(storedEvent(1, false));
    const torn = encodeRecord(storedEvent(2));
    await appendFile(filePath, Buffer.concat([halfTransaction, torn.subarray(0, torn.length - 5)]));
    const reopened = await openLog(filePath);
    expect(reopened.recovered).toHaveLength(1);
    expect(reopened.report.droppedBytes).toBe(halfTransaction.length + torn.length - 5);
    expect((await stat(filePath)).size).toBe(goodBytes);
    await reopened.log.close();
  });

  it('stops at a corrupt record', async () => {
    const directory = await temporaryDirectory('esdb-log-');
    directories.push(directory);
    const filePath = join(directory, 'events.log');
    const { log } = await openLog(filePath);
    await log.enqueue([encodeRecord(storedEvent(0))]).durable;
    const { positions, durable } = log.enqueue([encodeRecord(storedEvent(1))]);
    await durable;
    await log.close();
    const handle = await open(filePath, 'r+');
    await handle.write(Buffer.from([0xaa, 0xbb]), 0, 2, Number(positions[0]) + 20);
    await handle.close();
    const reopened = await openLog(filePath);
    expect(reopened.recovered).toHaveLength(1);
    await reopened.log.close();
  });
});

describe('expected revision rules', () => {
  const id = (value: number) => new Uint8Array(16).fill(value);
  const view = (overrides: Partial<StreamView>): StreamView => ({
    lastRevision: -1n,
    tombstoned: false,
    softDeleted: false,
    hasMetastream: false,
    eventIdAt: () => false,
    revisionOfEventId: () => undefined,
    ...overrides,
  });

  it('follows ESDB for new, existing, soft-deleted and tombstoned streams', () => {
    expect(decideAppend(view({}), { kind: 'stream_exists' }, [id(1)])).toEqual({
      kind: 'wrong-expected-version',
      currentRevision: -1n,
    });
    expect(
      decideAppend(view({ hasMetastream: true }), { kind: 'stream_exists' }, [id(1)]).kind,
    ).toBe('write');
    expect(
      decideAppend(view({ lastRevision: 3n }), { kind: 'exact', revision: 4n }, [id(1)]).kind,
    ).toBe('wrong-expected-version');
    expect(
      decideAppend(view({ lastRevision: 3n, softDeleted: true }), { kind: 'no_stream' }, [id(1)]),
    ).toEqual({ kind: 'write', recreate: true });
    expect(
      decideAppend(view({ lastRevision: 3n, softDeleted: true }), { kind: 'stream_exists' }, [
        id(1),
      ]).kind,
    ).toBe('stream-deleted');
    expect(decideAppend(view({ tombstoned: true }), { kind: 'any' }, [id(1)]).kind).toBe(
      'stream-deleted',
    );
  });

  it('recognises retries by event id', () => {
    const ids = [id(1), id(2)];
    const existing = view({
      lastRevision: 1n,
      eventIdAt: (revision, eventId) =>
        Buffer.from(ids[Number(revision)] ?? []).equals(Buffer.from(eventId)),
      revisionOfEventId: (eventId) =>
        Buffer.from(eventId).equals(Buffer.from(id(1))) ? 0n : undefined,
    });
    expect(decideAppend(existing, { kind: 'no_stream' }, ids)).toEqual({
      kind: 'idempotent',
      lastRevision: 1n,
    });
    expect(decideAppend(existing, { kind: 'any' }, ids)).toEqual({
      kind: 'idempotent',
      lastRevision: 1n,
    });
    expect(decideAppend(existing, { kind: 'any' }, [id(1), id(9)]).kind).toBe(
      'wrong-expected-version',
    );
  });
});

describe('stream metadata', () => {
  it('keeps the 64 bits of $tb and the other keys', () => {
    const json = metadataJson({ $maxCount: 3, custom: 'x' }, deletedStreamRevision);
    const parsed = parseStreamMetadata(Buffer.from(json), true);
    expect(parsed.truncateBefore).toBe(deletedStreamRevision);
    expect(parsed.maxCount).toBe(3n);
    expect(parsed.otherKeys).toEqual({ $maxCount: 3, custom: 'x' });
  });
});
