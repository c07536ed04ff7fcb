export type RunnerRole = 'leader' | 'standby' | 'stopped';
export type RunnerPhase = 'starting' | 'catching_up' | 'live' | 'failed' | 'paused';

const windowMs = 10_000;
const samplesMax = 1_000;

/** What one runner knows about itself, in this process; the status and metrics read it. */
export class RunnerStats {
  role: RunnerRole = 'standby';
  phase: RunnerPhase = 'starting';
  checkpoint: bigint | null = null;
  eventsApplied = 0;
  batchesApplied = 0;
  lastBatchDurationMs = 0;
  lastEventRecordedAt: Date | null = null;
  lastError: string | null = null;
  lastErrorAt: Date | null = null;
  private readonly samples: { atMs: number; events: number }[] = [];

  constructor(
    readonly name: string,
    readonly version: number,
  ) {}

  recordBatch(events: number, durationMs: number, lastRecordedAt: Date | null): void {
    this.eventsApplied += events;
    this.batchesApplied += 1;
    this.lastBatchDurationMs = durationMs;
    if (lastRecordedAt !== null) this.lastEventRecordedAt = lastRecordedAt;
    this.samples.push({ atMs: Date.now(), events });
    if (this.samples.length > samplesMax) this.samples.shift();
  }

  recordError(message: string): void {
    this.lastError = message;
    this.lastErrorAt = new Date();
  }

  /** Events applied per second over the last ten seconds. */
  throughputPerSecond(nowMs = Date.now()): number {
    while (this.samples.length > 0 && (this.samples[0]?.atMs ?? nowMs) < nowMs - windowMs) {
      this.samples.shift();
    }
    const events = this.samples.reduce((total, sample) => total + sample.events, 0);
    return events / (windowMs / 1_000);
  }
}
