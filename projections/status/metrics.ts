import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RunnerStats } from '../runner/stats.ts';
import type { ProjectionStatus } from './status.ts';

export interface ProjectionMetricSources {
  /** Cached statuses (the gauges read them at scrape time). */
  statuses(): Promise<ProjectionStatus[]>;
}

/** Per-process counters the runners feed after every committed batch. */
export interface ProjectionBatchMetrics {
  batchApplied(stats: RunnerStats, events: number, durationMs: number): void;
}

function gauge(
  registry: Registry,
  name: string,
  help: string,
  value: (status: ProjectionStatus) => number,
  sources: ProjectionMetricSources,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['projection'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of await sources.statuses()) {
        this.set({ projection: status.name }, value(status));
      }
    },
  });
}

/**
 * Registers the projection collectors on `registry` (once per registry) and returns the hook
 * the runners call per batch.
 */
export function registerProjectionMetrics(
  registry: Registry,
  sources: ProjectionMetricSources,
): ProjectionBatchMetrics {
  const prefix = 'ledger_projection_';
  if (registry.getSingleMetric(`${prefix}events_applied_total`)) {
    throw new Error('projection metrics are already registered on this registry');
  }
  const applied = new Counter({
    name: `${prefix}events_applied_total`,
    help: 'Events applied by this instance, per projection',
    labelNames: ['projection'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}batch_duration_seconds`,
    help: 'Time to apply one batch and its checkpoint in one transaction',
    labelNames: ['projection'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const gauges: [string, string, (status: ProjectionStatus) => number][] = [
    [
      'checkpoint_position',
      '$all commit position of the last applied event',
      (s) => Number(s.checkpoint ?? -1n),
    ],
    ['head_position', '$all commit position of the newest event', (s) => Number(s.headPosition)],
    ['lag_events', 'Events of the projection not yet applied (a lower bound)', (s) => s.lagEvents],
    ['lag_seconds', 'Age of the oldest event not yet applied', (s) => s.lagSeconds],
    [
      'throughput_events_per_second',
      'Events applied per second here',
      (s) => s.throughputPerSecond,
    ],
    ['failed', '1 while stopped on a poison event', (s) => (s.state === 'failed' ? 1 : 0)],
    ['paused', '1 while paused (a replay swapping tables)', (s) => (s.state === 'paused' ? 1 : 0)],
    [
      'leader',
      '1 when this instance runs the projection',
      (s) => (s.phase === 'standby' || s.phase === 'unknown' ? 0 : 1),
    ],
    [
      'last_error_timestamp_seconds',
      'Unix time of the last error (0 if none)',
      (s) => (s.lastErrorAt ? s.lastErrorAt.getTime() / 1_000 : 0),
    ],
  ];
  for (const [name, help, value] of gauges)
    gauge(registry, `${prefix}${name}`, help, value, sources);
  return {
    batchApplied(stats, events, durationMs) {
      applied.inc({ projection: stats.name }, events);
      duration.observe({ projection: stats.name }, durationMs / 1_000);
    },
  };
}
