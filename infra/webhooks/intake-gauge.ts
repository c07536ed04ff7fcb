/**
 * Callbacks the intake is receiving right now. The processor reads it to give way: while many
 * acknowledgements are waiting, each processing step would delay them (both share one event
 * loop and one event-store connection), and a provider that waits too long redelivers.
 */
export class IntakeGauge {
  private count = 0;

  get inFlight(): number {
    return this.count;
  }

  enter(): void {
    this.count += 1;
  }

  leave(): void {
    this.count = Math.max(0, this.count - 1);
  }
}
