import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(position: bigint, events: number): void;
  stop(): void;
}

/**
 * Progress over `$all` positions: a bar with events/s and ETA on a TTY, a plain line every few
 * seconds otherwise (logs, CI).
 */
export function progressReporter(label: string, headPosition: bigint): ProgressReporter {
  const total = Number(headPosition) || 1;
  const startedMs = Date.now();
  const rate = (events: number) =>
    Math.round(events / Math.max(0.001, (Date.now() - startedMs) / 1_000));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {events} events | {rate} events/s | ETA {eta_formatted}`,
        stream: process.stderr,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { events: 0, rate: 0 });
    return {
      update: (position, events) =>
        bar.update(Math.min(total, Number(position)), { events, rate: rate(events) }),
      stop: () => bar.stop(),
    };
  }
  let lastLogMs = 0;
  return {
    update: (position, events) => {
      if (Date.now() - lastLogMs < 5_000) return;
      lastLogMs = Date.now();
      const percent = Math.min(100, (Number(position) / total) * 100).toFixed(1);
      process.stderr.write(
        `${label}: ${percent}% of $all, ${events} events, ${rate(events)} events/s\n`,
      );
    },
    stop: () => undefined,
  };
}
