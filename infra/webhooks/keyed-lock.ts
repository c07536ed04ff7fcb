/**
 * Runs tasks with the same key one after another, in arrival order; tasks with different keys
 * run at once. The processor holds one per payment, so that two callbacks for one payment (an
 * authorization and its capture, delivered together) do not race for the same stream revision
 * and make each other read and retry. Holds only keys with a task running or waiting.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  get size(): number {
    return this.tails.size;
  }

  async run<Result>(key: string, task: () => Promise<Result>): Promise<Result> {
    const previous = this.tails.get(key);
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous === undefined ? done : previous.then(() => done);
    this.tails.set(key, tail);
    try {
      await previous;
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
