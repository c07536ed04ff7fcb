import { open, type FileHandle } from 'node:fs/promises';
import { writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { scanLog, type RecoveredRecordHandler } from './log-scan.ts';

export type { RecoveredRecordHandler } from './log-scan.ts';

const fileMagic = Buffer.from('ESDBLOG1', 'ascii');
/** Records start after a fixed header, so no event ever sits at position 0 (that is `Start`). */
export const logHeaderBytes = 16;
/** Bounds how long one synchronous page-cache write may hold the event loop (a few ms at most). */
const flushBatchBytesMax = 4 * 1024 * 1024;

export interface RecoveryReport {
  droppedBytes: number;
}

interface DurabilityWaiter {
  endOffset: bigint;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Append-only, checksummed event log with group commit: one fdatasync per batch of appends. */
export class LogFile {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private waiters: DurabilityWaiter[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private reservedEnd: bigint;
  private durableEnd: bigint;
  /** Told about each group commit before the appends in it are acknowledged. */
  durableListener: (durableOffset: bigint) => void = () => undefined;
  /** Told once when a write or sync fails and the log starts refusing everything. */
  failureListener: (error: Error) => void = () => undefined;

  private constructor(
    private readonly handle: FileHandle,
    endOffset: bigint,
  ) {
    this.reservedEnd = endOffset;
    this.durableEnd = endOffset;
  }

  static async open(
    filePath: string,
    onRecord: RecoveredRecordHandler,
  ): Promise<{ log: LogFile; report: RecoveryReport }> {
    const handle = await open(filePath, 'a+').then(async (appendHandle) => {
      await appendHandle.close();
      return open(filePath, 'r+');
    });
    try {
      const fileBytes = (await handle.stat()).size;
      if (fileBytes < logHeaderBytes) {
        await writeHeader(handle, filePath);
        return {
          log: new LogFile(handle, BigInt(logHeaderBytes)),
          report: { droppedBytes: fileBytes },
        };
      }
      await checkHeader(handle);
      const validEnd = await scanLog(handle, logHeaderBytes, fileBytes, onRecord);
      if (validEnd < fileBytes) {
        await handle.truncate(validEnd);
        await handle.datasync();
      }
      return {
        log: new LogFile(handle, BigInt(validEnd)),
        report: { droppedBytes: fileBytes - validEnd },
      };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get endOffset(): bigint {
    return this.reservedEnd;
  }

  get durableOffset(): bigint {
    return this.durableEnd;
  }

  get pendingByteCount(): number {
    return this.pendingBytes;
  }

  /** Reserves positions for records; they become durable together with the next group commit. */
  enqueue(records: readonly Buffer[]): { positions: bigint[]; durable: Promise<void> } {
    if (this.failure) throw this.failure;
    const positions: bigint[] = [];
    for (const record of records) {
      positions.push(this.reservedEnd);
      this.reservedEnd += BigInt(record.length);
      this.pending.push(record);
      this.pendingBytes += record.length;
    }
    const endOffset = this.reservedEnd;
    const durable = new Promise<void>((resolve, reject) => {
      this.waiters.push({ endOffset, resolve, reject });
    });
    this.scheduleFlush();
    return { positions, durable };
  }

  /** Resolves once every byte before `endOffset` is durable. */
  waitDurable(endOffset: bigint): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (endOffset <= this.durableEnd) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ endOffset, resolve, reject });
    });
  }

  async read(position: bigint, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    // A bound on short reads: each iteration reads at least one byte or stops.
    while (filled < length) {
      const offset = fileOffset(position + BigInt(filled));
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, offset);
      if (bytesRead === 0) throw new Error(`log read past end at ${position + BigInt(filled)}`);
      filled += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    // Bounded: each round drains the queue that existed when it started.
    while (this.flushing) await this.flushing.catch(() => undefined);
    await this.handle.close();
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    // setImmediate lets every append that arrives in this turn of the event loop share the fsync.
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flushAll())
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0 && !this.failure) this.scheduleFlush();
      });
  }

  private async flushAll(): Promise<void> {
    while (this.pending.length > 0 && !this.failure) {
      const batch = this.takeBatch();
      try {
        // The write only copies into the page cache, so it is done in place: a thread-pool round
        // trip costs more than the copy on a busy machine. The fdatasync is what waits for the
        // disk, and every waiter below is released only after it.
        writeFully(this.handle.fd, batch.bytes, fileOffset(this.durableEnd));
        await this.handle.datasync();
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.durableEnd += BigInt(batch.bytes.length);
      this.durableListener(this.durableEnd);
      this.releaseWaiters();
    }
  }

  private takeBatch(): { bytes: Buffer } {
    let count = 0;
    let bytes = 0;
    while (count < this.pending.length && (count === 0 || bytes < flushBatchBytesMax)) {
      bytes += (this.pending[count] as Buffer).length;
      count += 1;
    }
    const taken = this.pending.splice(0, count);
    this.pendingBytes -= bytes;
    return { bytes: taken.length === 1 ? (taken[0] as Buffer) : Buffer.concat(taken, bytes) };
  }

  private releaseWaiters(): void {
    let released = 0;
    while (
      released < this.waiters.length &&
      (this.waiters[released] as DurabilityWaiter).endOffset <= this.durableEnd
    ) {
      (this.waiters[released] as DurabilityWaiter).resolve();
      released += 1;
    }
    this.waiters.splice(0, released);
  }

  /** After a failed write the in-memory state is ahead of the disk: refuse everything from now on. */
  private fail(error: Error): void {
    this.failure = new Error(`event log write failed: ${error.message}`);
    for (const waiter of this.waiters) waiter.reject(this.failure);
    this.waiters = [];
    this.pending = [];
    this.pendingBytes = 0;
    this.failureListener(this.failure);
  }
}

/** pwrite may write less than asked (signals, quotas); bounded: each round writes at least one byte. */
function writeFully(fd: number, bytes: Buffer, position: number): void {
  let written = 0;
  while (written < bytes.length) {
    const count = writeSync(fd, bytes, written, bytes.length - written, position + written);
    if (count <= 0) throw new Error('log write made no progress');
    written += count;
  }
}

/**
 * Log positions stay bigint everywhere; only the file system call takes a number. Node cannot
 * address files past 2^53 bytes, so beyond that the log refuses rather than losing precision.
 */
function fileOffset(position: bigint): number {
  if (position > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError('log larger than 2^53 bytes');
  return Number(position);
}

async function writeHeader(handle: FileHandle, filePath: string): Promise<void> {
  const header = Buffer.alloc(logHeaderBytes);
  fileMagic.copy(header, 0);
  await handle.truncate(0);
  await handle.write(header, 0, header.length, 0);
  await handle.sync();
  await syncDirectory(dirname(filePath));
}

async function checkHeader(handle: FileHandle): Promise<void> {
  const header = Buffer.alloc(logHeaderBytes);
  await handle.read(header, 0, logHeaderBytes, 0);
  if (!header.subarray(0, fileMagic.length).equals(fileMagic)) {
    throw new Error('not an event log file (bad magic)');
  }
}

export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
