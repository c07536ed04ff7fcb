/**
 * Remembers which record holds a recently written event id, so a retried append with
 * `any`/`stream_exists` is recognised. Bounded like ESDB's own commit cache: older ids fall out.
 */
export class RecentEventIds {
  private readonly sequencesById = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  remember(eventId: Uint8Array, sequence: number): void {
    const key = Buffer.from(eventId.buffer, eventId.byteOffset, eventId.byteLength).toString('hex');
    this.sequencesById.delete(key);
    this.sequencesById.set(key, sequence);
    if (this.sequencesById.size > this.capacity) {
      const oldest = this.sequencesById.keys().next();
      if (!oldest.done) this.sequencesById.delete(oldest.value);
    }
  }

  sequenceOf(eventId: Uint8Array): number | undefined {
    const key = Buffer.from(eventId.buffer, eventId.byteOffset, eventId.byteLength).toString('hex');
    return this.sequencesById.get(key);
  }
}
