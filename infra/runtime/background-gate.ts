/**
 * Lets background work (projections, the webhook processor) give way to latency-bound
 * foreground work (acknowledging providers' callbacks) on the one event loop and the few cores
 * they share. Background loops ask `open()` (or await `turn()`) before each unit of work.
 */
export interface BackgroundGate {
  /** May a unit of background work start now? Cheap; call it as often as needed. */
  open(): boolean;
  /** Resolves when a unit of background work may start. */
  turn(): Promise<void>;
  /** The foreground is under pressure now (background work runs gated). */
  readonly contended: boolean;
}

/** No foreground to give way to. */
export const ungated: BackgroundGate = {
  open: () => true,
  turn: () => Promise.resolve(),
  contended: false,
};

export interface ForegroundFirstOptions {
  /** Whether the foreground is under pressure (for example: requests queueing). */
  pressed: () => boolean;
  /**
   * Longest stretch background work waits while the foreground stays pressed (default 1.9 s:
   * each resumption costs a catch-up read of what arrived meanwhile, so rarer is cheaper).
   */
  pauseMs?: number;
  /**
   * While the pressure lasts, each further pause doubles, up to this (default 7.6 s): a burst
   * that outlasts the first pause is a storm, and every resumption costs the catch-up reads of
   * what arrived meanwhile.
   */
  pauseMaxMs?: number;
  /** Then background work runs this long (default 100 ms): slowed, never starved. */
  sliceMs?: number;
  /** How often a waiting `turn()` looks again. */
  pollMs?: number;
  nowMs?: () => number;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds).unref());
}

/**
 * While the foreground is pressed, background work alternates: closed for a pause (`pauseMs`,
 * doubling while the pressure lasts, up to `pauseMaxMs`), open for `sliceMs`. So a burst of
 * foreground work gets (nearly) all the CPU, background work still moves (open at least
 * `sliceMs / (pauseMaxMs + sliceMs)` of the time), and all of it runs at full speed again as
 * soon as the pressure ends.
 */
export class ForegroundFirst implements BackgroundGate {
  private readonly pauseMs: number;
  private readonly pauseMaxMs: number;
  private readonly sliceMs: number;
  /** The pause now due: `pauseMs` after a release of the pressure, doubling while it lasts. */
  private currentPauseMs: number;
  private readonly pollMs: number;
  private readonly nowMs: () => number;
  private closedSinceMs: number | undefined;
  private sliceEndsAtMs = 0;

  constructor(private readonly options: ForegroundFirstOptions) {
    this.pauseMs = options.pauseMs ?? 1_900;
    this.pauseMaxMs = Math.max(this.pauseMs, options.pauseMaxMs ?? 7_600);
    this.currentPauseMs = this.pauseMs;
    this.sliceMs = options.sliceMs ?? 100;
    this.pollMs = options.pollMs ?? 10;
    this.nowMs = options.nowMs ?? Date.now;
  }

  get contended(): boolean {
    return this.options.pressed();
  }

  open(): boolean {
    if (!this.options.pressed()) {
      this.closedSinceMs = undefined;
      this.currentPauseMs = this.pauseMs;
      return true;
    }
    const now = this.nowMs();
    if (now < this.sliceEndsAtMs) return true;
    if (this.closedSinceMs === undefined) {
      this.closedSinceMs = now;
      return false;
    }
    if (now - this.closedSinceMs < this.currentPauseMs) return false;
    this.closedSinceMs = undefined;
    this.currentPauseMs = Math.min(this.pauseMaxMs, this.currentPauseMs * 2);
    this.sliceEndsAtMs = now + this.sliceMs;
    return true;
  }

  async turn(): Promise<void> {
    while (!this.open()) await sleep(this.pollMs);
  }
}
