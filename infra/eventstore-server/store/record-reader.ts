import type { LogFile } from '../storage/log-file.ts';
import { decodeRecord, type StoredEvent } from '../storage/record-codec.ts';
import type { RecordTable } from '../storage/record-table.ts';

export interface PositionedEvent extends StoredEvent {
  sequence: number;
  position: bigint;
}

const recentRecordCapacity = 4096;
const readRunBytesMax = 4 * 1024 * 1024;

/**
 * Fetches records by sequence: the most recent ones from a small ring (live subscribers), the
 * rest from disk, one read per run of adjacent records.
 */
export class RecordReader {
  private readonly recentRecords: (Buffer | undefined)[] = new Array(recentRecordCapacity);
  private readonly recentSequences = new Int32Array(recentRecordCapacity).fill(-1);

  constructor(
    private readonly log: LogFile,
    private readonly table: RecordTable,
  ) {}

  rememberWritten(sequence: number, record: Buffer): void {
    const slot = sequence % recentRecordCapacity;
    this.recentRecords[slot] = record;
    this.recentSequences[slot] = sequence;
  }

  /** Sequences in any order; results come back in the same order. */
  async read(sequences: readonly number[]): Promise<PositionedEvent[]> {
    const results: PositionedEvent[] = [];
    let runStart = 0;
    // Bounded by sequences.length: each iteration consumes one run.
    while (runStart < sequences.length) {
      const runEnd = this.runEnd(sequences, runStart);
      results.push(...(await this.readRun(sequences.slice(runStart, runEnd))));
      runStart = runEnd;
    }
    return results;
  }

  private runEnd(sequences: readonly number[], start: number): number {
    let end = start + 1;
    let bytes = this.table.totalBytesAt(sequences[start] as number);
    while (
      end < sequences.length &&
      sequences[end] === (sequences[end - 1] as number) + 1 &&
      bytes < readRunBytesMax
    ) {
      bytes += this.table.totalBytesAt(sequences[end] as number);
      end += 1;
    }
    return end;
  }

  private async readRun(run: readonly number[]): Promise<PositionedEvent[]> {
    const cached = run.map((sequence) => this.fromRecent(sequence));
    if (cached.every((event) => event !== undefined)) return cached as PositionedEvent[];
    const first = run[0] as number;
    const last = run[run.length - 1] as number;
    const start = this.table.positionAt(first);
    const end = this.table.positionAt(last) + BigInt(this.table.totalBytesAt(last));
    const bytes = await this.log.read(start, Number(end - start));
    return run.map((sequence) => {
      const offset = Number(this.table.positionAt(sequence) - start);
      return positioned(decodeRecord(bytes, offset), sequence, this.table.positionAt(sequence));
    });
  }

  private fromRecent(sequence: number): PositionedEvent | undefined {
    const slot = sequence % recentRecordCapacity;
    const record = this.recentRecords[slot];
    if (record === undefined || this.recentSequences[slot] !== sequence) return undefined;
    return positioned(decodeRecord(record, 0), sequence, this.table.positionAt(sequence));
  }
}

/** Widens the decoded record in place rather than copying it with a spread (hot on reads). */
function positioned(event: StoredEvent, sequence: number, position: bigint): PositionedEvent {
  const widened = event as PositionedEvent;
  widened.sequence = sequence;
  widened.position = position;
  return widened;
}
