import type { RecordTable } from '../storage/record-table.ts';

/**
 * Reads and subscriptions fetch records a page at a time: large pages mean one big sequential
 * disk read and fewer thread-pool round trips per event, and the byte bound keeps a page of
 * large events from piling up in memory.
 */
export const pageEventsMax = 1024;
export const pageBytesMax = 1024 * 1024;

export class PageBuilder {
  readonly sequences: number[] = [];
  private bytes = 0;

  constructor(private readonly table: RecordTable) {}

  add(sequence: number): void {
    this.sequences.push(sequence);
    this.bytes += this.table.totalBytesAt(sequence);
  }

  get length(): number {
    return this.sequences.length;
  }

  get full(): boolean {
    return this.sequences.length >= pageEventsMax || this.bytes >= pageBytesMax;
  }
}
