/**
 * Steady-state lag of the live projections while commands arrive at a fixed rate: payments are
 * created, authorized, captured and refunded through the real command path (domain, idempotency
 * records, official client) in this process, as the service does beside its projections.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../infra/eventstore/event-store.ts';
import type { Pool } from '../../infra/postgres/pool.ts';
import { PaymentService, type Caller } from '../../infra/write/payment-service.ts';
import { allProjections } from '../../projections/registry.ts';
import { readAllCheckpoints } from '../../projections/runner/checkpoints.ts';
import { sampleRss, summarizeLatencies, type BenchRow } from './bench-row.ts';

export interface LiveLagOptions {
  pool: Pool;
  eventStore: EventStore;
  commandsPerSecond: number;
  durationMs: number;
}

const commandsPerFlow = 4;
/** Flows in flight at most: beyond it the generator falls behind its rate (and reports so). */
const flowsInFlightMax = 64;
const sampleIntervalMs = 250;
/** Samples of the first seconds (connections warming up) are left out. */
const warmUpMs = 3_000;
/** Largest stretch of `$all` read per sample to count the events behind. */
const lagEventsMax = 20_000;

const caller: Caller = {
  tenantId: 'bench',
  actor: 'bench',
  source: 'system',
  correlationId: 'bench-live-lag',
  causationId: 'bench-live-lag',
};

async function paymentFlow(service: PaymentService, onCommand: () => void): Promise<void> {
  const created = await service.createPayment(caller, {
    idempotencyKey: randomUUID(),
    amount: { amount: '10000', currency: 'USD' },
  });
  onCommand();
  const paymentId = created.payment?.id;
  if (paymentId === undefined) throw new Error(JSON.stringify(created.errors));
  await service.authorizePayment(caller, { paymentId, idempotencyKey: randomUUID() });
  onCommand();
  await service.capturePayment(caller, { paymentId, idempotencyKey: randomUUID() });
  onCommand();
  await service.refundPayment(caller, {
    paymentId,
    amount: { amount: '2500', currency: 'USD' },
    idempotencyKey: randomUUID(),
  });
  onCommand();
}

interface LagSample {
  events: number;
  seconds: number;
  capped: boolean;
}

/** The slowest projection's lag: its events after its checkpoint, and the oldest one's age. */
async function sampleLag(pool: Pool, eventStore: EventStore): Promise<LagSample> {
  const rows = await readAllCheckpoints(pool);
  const checkpoints = allProjections.map(
    (projection) =>
      rows.find(
        (row) =>
          row.projection_name === projection.name &&
          row.projection_version === projection.version,
      )?.position ?? null,
  );
  const lowest = checkpoints.reduce<bigint | null>(
    (low, position) => (low === null || position === null || position < low ? position : low),
    checkpoints[0] ?? null,
  );
  const page = await eventStore.readAllPage(lowest ?? undefined, lagEventsMax);
  let worst: LagSample = { events: 0, seconds: 0, capped: page.length >= lagEventsMax };
  allProjections.forEach((projection, index) => {
    const checkpoint = checkpoints[index] ?? null;
    const handled = new Set(projection.handles);
    const behind = page.filter(
      (event) => handled.has(event.type) && (checkpoint === null || event.position > checkpoint),
    );
    const oldest = behind[0]?.recordedAt.getTime();
    const seconds = oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1_000);
    if (behind.length > worst.events) worst = { ...worst, events: behind.length, seconds };
    if (seconds > worst.seconds) worst = { ...worst, seconds };
  });
  return worst;
}

function percentileOf(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
}

/** Runs the load for `durationMs` while sampling the lag of every projection. */
export async function measureLiveLag(options: LiveLagOptions): Promise<BenchRow> {
  const service = new PaymentService(options.eventStore);
  const rss = sampleRss();
  const flowsPerSecond = options.commandsPerSecond / commandsPerFlow;
  const startedMs = performance.now();
  const deadlineMs = startedMs + options.durationMs;
  const inFlight = new Set<Promise<void>>();
  const samples: LagSample[] = [];
  let commands = 0;
  let flowsStarted = 0;
  let failures = 0;
  let nextSampleMs = startedMs + warmUpMs;
  for (let tick = 0; performance.now() < deadlineMs && tick < 1_000_000; tick += 1) {
    const due = Math.floor(((performance.now() - startedMs) / 1_000) * flowsPerSecond);
    while (flowsStarted < due && inFlight.size < flowsInFlightMax) {
      flowsStarted += 1;
      const flow = paymentFlow(service, () => (commands += 1))
        .catch(() => {
          failures += 1;
        })
        .finally(() => inFlight.delete(flow));
      inFlight.add(flow);
    }
    if (performance.now() >= nextSampleMs) {
      nextSampleMs += sampleIntervalMs;
      samples.push(await sampleLag(options.pool, options.eventStore));
    }
    await new Promise((resolveTick) => setTimeout(resolveTick, 5));
  }
  const commandsPerSecond = commands / ((performance.now() - startedMs) / 1_000);
  await Promise.all(inFlight);
  if (failures > 0) throw new Error(`${failures} command flows failed under the live load`);
  const lagEvents = samples.map((sample) => sample.events);
  const lagMs = summarizeLatencies(samples.map((sample) => sample.seconds * 1_000));
  const capped = samples.some((sample) => sample.capped) ? ' (capped)' : '';
  return {
    scenario:
      `live lag of the slowest projection under ${options.commandsPerSecond} commands/s ` +
      `offered (ops/s = commands achieved; latency columns = lag in ms; lag in events ` +
      `p50 ${percentileOf(lagEvents, 0.5)}, p99 ${percentileOf(lagEvents, 0.99)}, ` +
      `max ${Math.max(0, ...lagEvents)}${capped})`,
    operations: commands,
    throughputPerSecond: commandsPerSecond,
    ...lagMs,
    peakRssMiB: rss.stop(),
    reference: 'commands offered per second',
    referenceThroughputPerSecond: options.commandsPerSecond,
    ratio: commandsPerSecond / options.commandsPerSecond,
  };
}
