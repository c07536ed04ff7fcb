/**
 * Which prefix of the subscription is fully handled. A trigger event (a callback received or a
 * replay requested) stays open until its callback is processed, parked or resolved; the durable
 * checkpoint never moves past an open one, so a crash can only cause re-reading (harmless: the
 * inbox state says what is done), never a lost callback. Bounded: the subscription waits while
 * `capacity` entries are open.
 */
interface Entry {
  position: bigint;
  open: boolean;
}

export class ProgressTracker {
  private readonly entries: Entry[] = [];
  private head = 0;
  private openCount = 0;
  private safe: bigint | undefined;

  constructor(
    readonly capacity: number,
    initial: bigint | undefined,
  ) {
    this.safe = initial;
  }

  get isFull(): boolean {
    return this.openCount >= this.capacity;
  }

  get open(): number {
    return this.openCount;
  }

  /** Position up to which everything is handled: where a restart may resume (exclusive). */
  get safePosition(): bigint | undefined {
    return this.safe;
  }

  /** An entry to close later; returns it as a handle. */
  track(position: bigint): Entry {
    const entry = { position, open: true };
    this.entries.push(entry);
    this.openCount += 1;
    return entry;
  }

  /** A position with nothing to do (an outcome event, a filter checkpoint). */
  pass(position: bigint): void {
    if (this.entries.length === this.head) {
      this.safe = position;
      return;
    }
    // Consecutive handled positions collapse into one entry: the array stays within about
    // twice the open entries however many passes arrive behind an open one.
    const last = this.entries[this.entries.length - 1]!;
    if (!last.open) last.position = position;
    else this.entries.push({ position, open: false });
  }

  close(entry: Entry): void {
    if (!entry.open) return;
    entry.open = false;
    this.openCount -= 1;
    this.advance();
  }

  private advance(): void {
    while (this.head < this.entries.length && !this.entries[this.head]!.open) {
      this.safe = this.entries[this.head]!.position;
      this.head += 1;
    }
    // Compact now and then, so that the array does not grow with the handled prefix.
    if (this.head > 1_024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}

export type TrackedEntry = ReturnType<ProgressTracker['track']>;
