import type { StreamMetadata } from '../store/stream-metadata.ts';

/** Per-stream index: revision n of the stream is record `sequences[n]` of the log. */
export interface StreamState {
  readonly name: string;
  readonly number: number;
  sequences: Uint32Array;
  eventCount: number;
  /** Record sequence of the `$streamDeleted` tombstone, or -1. */
  tombstoneSequence: number;
  /** Parsed from the latest event of `$$name`; undefined when there is none. */
  metadata: StreamMetadata | undefined;
}

const initialRevisionCapacity = 4;

/** Stream names and event types interned to small numbers so the record table can stay numeric. */
export class StreamIndex {
  private readonly byName = new Map<string, StreamState>();
  private readonly byNumber: StreamState[] = [];
  private readonly typeNumbers = new Map<string, number>();
  private readonly typeNames: string[] = [];

  get streamCount(): number {
    return this.byNumber.length;
  }

  get typeCount(): number {
    return this.typeNames.length;
  }

  find(name: string): StreamState | undefined {
    return this.byName.get(name);
  }

  findOrCreate(name: string): StreamState {
    const existing = this.byName.get(name);
    if (existing) return existing;
    const state: StreamState = {
      name,
      number: this.byNumber.length,
      sequences: new Uint32Array(initialRevisionCapacity),
      eventCount: 0,
      tombstoneSequence: -1,
      metadata: undefined,
    };
    this.byName.set(name, state);
    this.byNumber.push(state);
    return state;
  }

  byStreamNumber(streamNumber: number): StreamState {
    const state = this.byNumber[streamNumber];
    if (!state) throw new RangeError(`unknown stream number ${streamNumber}`);
    return state;
  }

  internType(eventType: string): number {
    const existing = this.typeNumbers.get(eventType);
    if (existing !== undefined) return existing;
    const typeNumber = this.typeNames.length;
    this.typeNumbers.set(eventType, typeNumber);
    this.typeNames.push(eventType);
    return typeNumber;
  }

  typeName(typeNumber: number): string {
    const name = this.typeNames[typeNumber];
    if (name === undefined) throw new RangeError(`unknown event type number ${typeNumber}`);
    return name;
  }

  static addRevision(state: StreamState, sequence: number): void {
    if (state.eventCount === state.sequences.length) {
      const grown = new Uint32Array(state.sequences.length * 2);
      grown.set(state.sequences);
      state.sequences = grown;
    }
    state.sequences[state.eventCount] = sequence;
    state.eventCount += 1;
  }

  static sequenceOf(state: StreamState, revision: number): number {
    return state.sequences[revision] as number;
  }
}
