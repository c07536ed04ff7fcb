/** One line of the benchmark table: a scenario measured next to its reference in the same run. */
export interface BenchRow {
  scenario: string;
  operations: number;
  throughputPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  peakRssMiB: number;
  /** Server CPU (user + system) per operation: steadier than throughput on a shared machine. */
  serverCpuUsPerOperation?: number;
  reference?: string;
  referenceThroughputPerSecond?: number;
  /** throughput / reference throughput. */
  ratio?: number;
  /** A floor the issue names, and whether this run met it. */
  floor?: string;
  floorMet?: boolean;
}

/** Latency summary of a list of durations in milliseconds (sorts a copy). */
export function summarizeLatencies(durationsMs: readonly number[]): {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
} {
  if (durationsMs.length === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  const sorted = [...durationsMs].sort((left, right) => left - right);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}

/** Samples this process's RSS every few milliseconds; `stop()` returns the peak in MiB. */
export function sampleRss(intervalMs = 50): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return Math.round((peak / 1024 / 1024) * 10) / 10;
    },
  };
}

function format(value: number | undefined, digits = 0): string {
  if (value === undefined || Number.isNaN(value)) return '';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const header =
    '| scenario | ops | ops/s | p50 ms | p99 ms | max ms | peak RSS MiB | reference | ref ops/s | ratio | floor |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |\n';
  return (
    header +
    rows
      .map(
        (row) =>
          `| ${row.scenario} | ${format(row.operations)} | ${format(row.throughputPerSecond)} | ` +
          `${format(row.p50Ms, 2)} | ${format(row.p99Ms, 2)} | ${format(row.maxMs, 2)} | ` +
          `${format(row.peakRssMiB, 1)} | ${row.reference ?? ''} | ` +
          `${format(row.referenceThroughputPerSecond)} | ${format(row.ratio, 2)} | ` +
          `${row.floor ? `${row.floor} ${row.floorMet ? '✓' : '✗'}` : ''} |`,
      )
      .join('\n') +
    '\n'
  );
}
