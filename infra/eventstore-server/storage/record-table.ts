/** What the index keeps in RAM per event: positions and small metadata, never payloads. */
export interface RecordEntry {
  position: bigint;
  totalBytes: number;
  streamNumber: number;
  revision: bigint;
  typeNumber: number;
  createdMs: number;
  eventId: Uint8Array;
}

const initialCapacity = 1024;
const idBytes = 16;

/**
 * The `$all` order: entry n is the n-th record of the log. Columnar typed arrays keep a million
 * events in a few tens of MiB.
 */
export class RecordTable {
  private size = 0;
  private capacity = initialCapacity;
  private positions = new BigInt64Array(initialCapacity);
  private revisions = new BigInt64Array(initialCapacity);
  private totalBytes = new Uint32Array(initialCapacity);
  private streamNumbers = new Uint32Array(initialCapacity);
  private typeNumbers = new Uint32Array(initialCapacity);
  private createdMs = new Float64Array(initialCapacity);
  private eventIds = new Uint8Array(initialCapacity * idBytes);

  get count(): number {
    return this.size;
  }

  add(entry: RecordEntry): number {
    const sequence = this.addHeader(
      entry.position,
      entry.totalBytes,
      entry.streamNumber,
      entry.revision,
      entry.typeNumber,
      entry.createdMs,
    );
    this.eventIds.set(entry.eventId, sequence * idBytes);
    return sequence;
  }

  /** Recovery's path: the id is copied straight out of the record bytes, with no view object. */
  addFromRecord(
    entry: Omit<RecordEntry, 'eventId'>,
    record: Buffer,
    eventIdOffset: number,
  ): number {
    const sequence = this.addHeader(
      entry.position,
      entry.totalBytes,
      entry.streamNumber,
      entry.revision,
      entry.typeNumber,
      entry.createdMs,
    );
    // A plain loop: Buffer#copy's argument checks cost more than copying 16 bytes.
    const target = this.eventIds;
    const start = sequence * idBytes;
    for (let index = 0; index < idBytes; index += 1)
      target[start + index] = record[eventIdOffset + index] as number;
    return sequence;
  }

  private addHeader(
    position: bigint,
    totalBytes: number,
    streamNumber: number,
    revision: bigint,
    typeNumber: number,
    createdMs: number,
  ): number {
    if (this.size === this.capacity) this.grow();
    const sequence = this.size;
    this.positions[sequence] = position;
    this.revisions[sequence] = revision;
    this.totalBytes[sequence] = totalBytes;
    this.streamNumbers[sequence] = streamNumber;
    this.typeNumbers[sequence] = typeNumber;
    this.createdMs[sequence] = createdMs;
    this.size += 1;
    return sequence;
  }

  positionAt(sequence: number): bigint {
    return this.positions[sequence] as bigint;
  }

  revisionAt(sequence: number): bigint {
    return this.revisions[sequence] as bigint;
  }

  totalBytesAt(sequence: number): number {
    return this.totalBytes[sequence] as number;
  }

  streamNumberAt(sequence: number): number {
    return this.streamNumbers[sequence] as number;
  }

  typeNumberAt(sequence: number): number {
    return this.typeNumbers[sequence] as number;
  }

  createdMsAt(sequence: number): number {
    return this.createdMs[sequence] as number;
  }

  eventIdAt(sequence: number): Uint8Array {
    return this.eventIds.subarray(sequence * idBytes, (sequence + 1) * idBytes);
  }

  sameEventId(sequence: number, eventId: Uint8Array): boolean {
    const start = sequence * idBytes;
    for (let index = 0; index < idBytes; index += 1) {
      if (this.eventIds[start + index] !== eventId[index]) return false;
    }
    return true;
  }

  /** First sequence whose position is >= `position` (or `count` when there is none). */
  firstAtOrAfter(position: bigint, limit = this.size): number {
    let low = 0;
    let high = limit;
    // Binary search: at most 64 iterations.
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.positions[middle] as bigint) < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.positions = copyInto(new BigInt64Array(capacity), this.positions);
    this.revisions = copyInto(new BigInt64Array(capacity), this.revisions);
    this.totalBytes = copyInto(new Uint32Array(capacity), this.totalBytes);
    this.streamNumbers = copyInto(new Uint32Array(capacity), this.streamNumbers);
    this.typeNumbers = copyInto(new Uint32Array(capacity), this.typeNumbers);
    this.createdMs = copyInto(new Float64Array(capacity), this.createdMs);
    this.eventIds = copyInto(new Uint8Array(capacity * idBytes), this.eventIds);
    this.capacity = capacity;
  }
}

function copyInto<T extends { set(source: T): void }>(target: T, source: T): T {
  target.set(source);
  return target;
}
