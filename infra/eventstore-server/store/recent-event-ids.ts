/**
 * Remembers which record holds a recently written event id, so a retried append with
 * `any`/`stream_exists` is recognised. Bounded like ESDB's own commit cache: older ids fall out.
 *
 * Eviction goes through a ring of the ids in the order they were remembered, not through the
 * map's own insertion order: taking a Map's first key after many deletions walks every deleted
 * slot before it (V8 keeps them until it rehashes), which made each eviction cost more the longer
 * the server ran.
 */
export class RecentEventIds {
  private readonly sequencesById = new Map<string, number>();
  private readonly ringKeys: (string | undefined)[];
  private readonly ringSequences: Float64Array;
  private next = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    this.ringKeys = new Array<string | undefined>(capacity).fill(undefined);
    this.ringSequences = new Float64Array(capacity);
  }

  get size(): number {
    return this.sequencesById.size;
  }

  remember(eventId: Uint8Array, sequence: number): void {
    const key = keyOf(eventId);
    const slot = this.next;
    const evicted = this.ringKeys[slot];
    // The slot's id leaves only if the map still points at that slot's record: an id remembered
    // again since then lives on in a younger slot.
    if (evicted !== undefined && this.sequencesById.get(evicted) === this.ringSequences[slot]) {
      this.sequencesById.delete(evicted);
    }
    this.ringKeys[slot] = key;
    this.ringSequences[slot] = sequence;
    this.sequencesById.set(key, sequence);
    this.next = (slot + 1) % this.capacity;
  }

  sequenceOf(eventId: Uint8Array): number | undefined {
    return this.sequencesById.get(keyOf(eventId));
  }
}

function keyOf(eventId: Uint8Array): string {
  return Buffer.from(eventId.buffer, eventId.byteOffset, eventId.byteLength).toString('hex');
}
