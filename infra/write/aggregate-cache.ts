import type { LoadedAggregate } from './aggregate-store.ts';

/**
 * The last known state of recently written streams, so that a command on a warm aggregate appends
 * with its cached expected revision without reading the stream first. Safe because the append's
 * expected revision still guards it: if anyone else wrote meanwhile, the append is refused, the
 * entry dropped and the command re-run on a fresh read. Refusals and no-ops decided on a cached
 * state are also re-checked on a fresh read before they are answered. Bounded, least recently used.
 */
export class AggregateCache<State> {
  private readonly entries = new Map<string, LoadedAggregate<State>>();

  constructor(private readonly entriesMax: number) {}

  get(stream: string): LoadedAggregate<State> | undefined {
    const entry = this.entries.get(stream);
    if (entry === undefined) return undefined;
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    return entry;
  }

  set(stream: string, entry: LoadedAggregate<State>): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }

  delete(stream: string): void {
    this.entries.delete(stream);
  }
}
