/**
 * Collects the messages posted to another thread during one turn of the event loop and sends
 * them as one. Every message to a thread wakes it, and on small virtual machines the wake-up
 * costs more than the message: under load many callbacks are read in the same turn, and one
 * message carries them all. The batch leaves in the same turn's check phase (setImmediate), so
 * nothing waits for a timer.
 */
export class TurnBatcher<Item> {
  private items: Item[] = [];
  private transfer: ArrayBuffer[] = [];
  private scheduled = false;

  constructor(private readonly send: (items: Item[], transfer: ArrayBuffer[]) => void) {}

  /** Queues `item`; `transfer` is moved with the batch (not cloned). */
  add(item: Item, transfer?: ArrayBuffer): void {
    this.items.push(item);
    if (transfer !== undefined) this.transfer.push(transfer);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const { items, transfer } = this;
    this.items = [];
    this.transfer = [];
    if (items.length > 0) this.send(items, transfer);
  }
}
