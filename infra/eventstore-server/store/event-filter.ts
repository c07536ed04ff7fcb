import type { RecordTable } from '../storage/record-table.ts';
import type { StreamIndex } from '../storage/stream-index.ts';

export interface EventFilter {
  on: 'stream-name' | 'event-type';
  /** When set, prefixes are ignored (as in ESDB). */
  regex: RegExp | undefined;
  prefixes: readonly string[];
  /** Considered records between two checkpoints of a filtered `$all` subscription. */
  checkpointInterval: number;
}

export const defaultCheckpointWindow = 32;

function nameMatches(filter: EventFilter, name: string): boolean {
  if (filter.regex) return filter.regex.test(name);
  if (filter.prefixes.length === 0) return true;
  return filter.prefixes.some((prefix) => name.startsWith(prefix));
}

const unknown = 0;
const rejected = 1;
const accepted = 2;

/** Evaluates a filter per record, remembering the verdict per stream number or type number. */
export class FilterMatcher {
  private verdicts = new Uint8Array(256);

  constructor(
    private readonly filter: EventFilter,
    private readonly table: RecordTable,
    private readonly streams: StreamIndex,
  ) {}

  matches(sequence: number): boolean {
    const key =
      this.filter.on === 'stream-name'
        ? this.table.streamNumberAt(sequence)
        : this.table.typeNumberAt(sequence);
    if (key >= this.verdicts.length) this.growTo(key);
    let verdict = this.verdicts[key];
    if (verdict === unknown) {
      const name =
        this.filter.on === 'stream-name'
          ? this.streams.byStreamNumber(key).name
          : this.streams.typeName(key);
      verdict = nameMatches(this.filter, name) ? accepted : rejected;
      this.verdicts[key] = verdict;
    }
    return verdict === accepted;
  }

  private growTo(key: number): void {
    let length = this.verdicts.length;
    while (length <= key) length *= 2;
    const grown = new Uint8Array(length);
    grown.set(this.verdicts);
    this.verdicts = grown;
  }
}
