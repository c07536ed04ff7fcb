/**
 * Callbacks the intake is receiving right now. The service's background gate (ForegroundFirst)
 * reads it: while many acknowledgements are waiting, the projections and the processor give way,
 * since their work would delay them (they share the cores and the main event loop) and a
 * provider that waits too long redelivers.
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
