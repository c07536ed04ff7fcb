/**
 * Webhook intake against the whole service, run as `npm start` runs it (its own process, every
 * middleware, the webhook processor and the projections on), with the payments it receives
 * callbacks for created beforehand through the write path:
 * - burst: signed callbacks acknowledged per second (each stored durably before its 2xx) with
 *   64 in flight, next to a raw event-store append of the same payloads and to a no-op HTTP
 *   server answering the same client; then how long until the read model shows every outcome;
 * - steady: callbacks sent at a fixed offered rate (half the rate at which the burst reached the
 *   read model, so that the service can keep up and the latency is not a growing backlog), and
 *   the time from each acknowledgement to the payments read model showing its outcome (polled).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createPool, type Pool } from '../../infra/postgres/pool.ts';
import type { SimCallback } from '../../infra/webhooks/sim-mapper.ts';
import { PaymentService, type Caller } from '../../infra/write/payment-service.ts';
import { markdownTable, summarizeLatencies, type BenchRow } from './bench-row.ts';
import { memoryNote, samplePeakServiceMemory } from './process-memory.ts';
import {
  cpuSecondsOf,
  startServiceProcess,
  waitForQuiet,
} from './service-process.ts';
import {
  pooled,
  poster,
  sendAtRate,
  watchReadModel,
  type Expectation,
  type Post,
} from './webhook-load.ts';

const secret = 'bench-secret-0123456789abcdef';
const concurrency = 64;
const floorPerSecond = 2_000;
const amount = 2_500n;
const readModelPollMs = 10;
// prettier-ignore
const caller: Caller = {
  tenantId: 'bench', actor: 'bench', source: 'system', correlationId: 'bench', causationId: 'bench',
};

interface Workload {
  callbacks: SimCallback[];
  expectations: Expectation[];
}

/**
 * Two callbacks per payment (authorized, captured): each one a real command for the processor.
 * Sent interleaved (a1 c1 a2 c2 ...), so a capture often overtakes its authorization in flight.
 */
async function prepareWorkload(service: PaymentService, payments: number): Promise<Workload> {
  const run = randomUUID().slice(0, 8);
  const created = Math.floor(Date.now() / 1000);
  const byIndex: Workload[] = [];
  await pooled([...Array(payments).keys()], 32, async (index) => {
    const providerPaymentId = `bench_${run}_${index}`;
    const result = await service.createPayment(caller, {
      idempotencyKey: `bench-${providerPaymentId}`,
      amount: { amount: amount.toString(), currency: 'USD' },
      providerPaymentId,
    });
    const paymentId = result.payment?.id;
    if (paymentId === undefined) throw new Error(`payment not created: ${JSON.stringify(result)}`);
    const data = { providerPaymentId, amount: amount.toString(), currency: 'USD' };
    byIndex[index] = {
      callbacks: [
        { id: `evt_${providerPaymentId}_a`, type: 'payment.authorized', created, data },
        { id: `evt_${providerPaymentId}_c`, type: 'payment.captured', created, data },
      ],
      expectations: [
        { paymentId, column: 'authorized_amount', amount },
        { paymentId, column: 'captured_amount', amount },
      ],
    };
  });
  return {
    callbacks: byIndex.flatMap((part) => part.callbacks),
    expectations: byIndex.flatMap((part) => part.expectations),
  };
}

/** The projections must have caught up with the new payments before callbacks are timed. */
async function waitForRows(pool: Pool, expectations: readonly Expectation[], timeoutMs: number) {
  const ids = [...new Set(expectations.map((expectation) => expectation.paymentId))];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ count: bigint }>(
      'SELECT count(*)::bigint AS count FROM payments WHERE payment_id = ANY($1::text[])',
      [ids],
    );
    if (Number(rows[0]?.count ?? 0) === ids.length) return;
    if (Date.now() > deadline) throw new Error('payments not projected in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Signed {
  body: string;
  signature: string;
}

/**
 * Bodies and signatures made before the clock starts: a provider signs on its own machines,
 * and this load generator shares the service's two cores. Timestamps stay seconds old, well
 * inside the intake's tolerance.
 */
function signAll(callbacks: readonly SimCallback[]): Signed[] {
  const now = Math.floor(Date.now() / 1000);
  return callbacks.map((callback) => {
    const body = JSON.stringify(callback);
    return { body, signature: signatureHeader(secret, now, body) };
  });
}

function deliverer(post: Post) {
  return async ({ body, signature }: Signed) => {
    const status = await post('/webhooks/sim', body, {
      'content-type': 'application/json',
      'ledger-signature': signature,
    });
    if (status !== 202) throw new Error(`intake answered ${status} for ${body.slice(0, 80)}`);
  };
}

async function rawAppends(store: EventStore, callbacks: readonly SimCallback[]) {
  const durations: number[] = [];
  const started = performance.now();
  await pooled(callbacks, concurrency, async (callback) => {
    const begin = performance.now();
    const data = {
      provider: 'sim',
      providerEventId: callback.id,
      payload: JSON.stringify(callback),
    };
    const event = { id: randomUUID(), type: 'RawCallback', data, metadata: {} };
    await store.append(`rawwebhook-${randomUUID()}`, [event], 'no_stream');
    durations.push(performance.now() - begin);
  });
  return callbacks.length / ((performance.now() - started) / 1000);
}

const noopServerSource = `
const server = require('node:http').createServer((incoming, response) => {
  incoming.resume();
  incoming.on('end', () => response
    .writeHead(202, { 'content-type': 'application/json', 'content-length': '2' })
    .end('{}'));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

/** The ceiling for this client: a no-op node:http server in its own process, answering 202. */
async function noopHttp(count: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', noopServerSource], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    const post = poster(`http://127.0.0.1:${port}`, concurrency);
    const started = performance.now();
    await pooled(
      [...Array(count).keys()],
      concurrency,
      async () => void (await post('/', '{}', {})),
    );
    return count / ((performance.now() - started) / 1000);
  } finally {
    child.kill('SIGKILL');
  }
}

function lagsMs(ackedAtMs: readonly number[], seenAtMs: readonly number[]): number[] {
  return ackedAtMs.map((acked, index) => Math.max(0, seenAtMs[index]! - acked));
}

interface Context {
  url: string;
  store: EventStore;
  pool: Pool;
  service: PaymentService;
  servicePid: number;
}

/**
 * Peak memory of the service while `work` runs: the API and its event store in the RSS column,
 * PostgreSQL (whose backends share their buffers: summed RSS counts them once per process)
 * apart, with its PSS, in the note.
 */
function memorySampler(pid: number): () => Promise<{ peakRssMiB: number; note: string }> {
  const sampler = samplePeakServiceMemory(pid);
  return async () => {
    const peak = await sampler.stop();
    return { peakRssMiB: Math.round(peak?.serviceRssMiB ?? 0), note: memoryNote(peak) };
  };
}

async function burst(context: Context, payments: number): Promise<BenchRow[]> {
  const workload = await prepareWorkload(context.service, payments);
  await waitForRows(context.pool, workload.expectations, 120_000);
  await waitForQuiet(context.servicePid, 120_000);
  const raw = await rawAppends(context.store, workload.callbacks);
  await waitForQuiet(context.servicePid, 60_000);
  const stopMemory = memorySampler(context.servicePid);
  const send = deliverer(poster(context.url, concurrency));
  const ackedAtMs: number[] = [];
  const ackLatenciesMs: number[] = [];
  const signed = signAll(workload.callbacks);
  const cpuBefore = await cpuSecondsOf(context.servicePid);
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const watching = watchReadModel(context.pool, workload.expectations, 20, 300_000);
  await pooled(signed, concurrency, async (callback, index) => {
    const begin = performance.now();
    await send(callback);
    const acked = performance.now();
    ackedAtMs[index] = acked;
    ackLatenciesMs.push(acked - begin);
  });
  const intakePerSecond = workload.callbacks.length / ((performance.now() - started) / 1000);
  const ackCpu = await cpuSecondsOf(context.servicePid);
  const ownCpu = process.cpuUsage(ownBefore);
  const seenAtMs = await watching;
  const cpuAfter = await cpuSecondsOf(context.servicePid);
  const memory = await stopMemory();
  // CPU per callback, intake to read model: less sensitive than rates to the machine's other load.
  const perCallbackMs = (seconds: number) =>
    ((seconds * 1000) / workload.callbacks.length).toFixed(2);
  const ackPhaseCpu =
    `CPU per callback while acknowledging: service ` +
    `${perCallbackMs(ackCpu.service - cpuBefore.service)} ms, its stores ` +
    `${perCallbackMs(ackCpu.descendants - cpuBefore.descendants)} ms, this load generator ` +
    `${perCallbackMs((ownCpu.user + ownCpu.system) / 1e6)} ms`;
  const cpu =
    `CPU per callback: service ${perCallbackMs(cpuAfter.service - cpuBefore.service)} ms, ` +
    `its stores ${perCallbackMs(cpuAfter.descendants - cpuBefore.descendants)} ms`;
  const drainedPerSecond = workload.callbacks.length / ((Math.max(...seenAtMs) - started) / 1000);
  const ceiling = await noopHttp(workload.callbacks.length);
  const base = { operations: workload.callbacks.length, peakRssMiB: memory.peakRssMiB };
  const ack = summarizeLatencies(ackLatenciesMs);
  return [
    {
      scenario:
        `webhook burst: signed callbacks acknowledged/s (durable), ${concurrency} in flight, ` +
        `processor and projections running (giving way); ${ackPhaseCpu}`,
      ...base,
      throughputPerSecond: intakePerSecond,
      ...ack,
      reference: 'raw event-store append of the same payloads',
      referenceThroughputPerSecond: raw,
      ratio: intakePerSecond / raw,
      floor: `≥ ${floorPerSecond.toLocaleString('en-US')}/s`,
      floorMet: intakePerSecond >= floorPerSecond,
    },
    {
      scenario: 'webhook burst: same, vs a no-op HTTP server (same client, own process)',
      ...base,
      throughputPerSecond: intakePerSecond,
      ...ack,
      reference: 'no-op node:http server answering 202',
      referenceThroughputPerSecond: ceiling,
      ratio: intakePerSecond / ceiling,
    },
    {
      scenario:
        'webhook burst: first send → read model shows every outcome (callbacks/s); ' +
        `latency ack → read model; ${cpu}; peak ${memory.note}`,
      ...base,
      throughputPerSecond: drainedPerSecond,
      ...summarizeLatencies(lagsMs(ackedAtMs, seenAtMs)),
    },
  ];
}

async function steady(
  context: Context,
  ratePerSecond: number,
  durationSeconds: number,
): Promise<BenchRow> {
  const workload = await prepareWorkload(context.service, (ratePerSecond * durationSeconds) / 2);
  await waitForRows(context.pool, workload.expectations, 120_000);
  await waitForQuiet(context.servicePid, 120_000);
  const stopMemory = memorySampler(context.servicePid);
  const send = deliverer(poster(context.url, concurrency * 4));
  const watching = watchReadModel(context.pool, workload.expectations, readModelPollMs, 300_000);
  // Signed as they are sent: an open-loop minute outlasts no tolerance, but stays honest.
  const sent = await sendAtRate(workload.callbacks, ratePerSecond, concurrency * 4, (callback) =>
    send(signAll([callback])[0]!),
  );
  const seenAtMs = await watching;
  const lags = summarizeLatencies(lagsMs(sent.ackedAtMs, seenAtMs));
  const memory = await stopMemory();
  return {
    scenario:
      `webhook steady ${ratePerSecond.toLocaleString('en-US')}/s offered for ${durationSeconds} s ` +
      '(half the burst rate to the read model): ' +
      `ack → payments read model shows the outcome (polled every ${readModelPollMs} ms; ` +
      `ack p99 ${summarizeLatencies(sent.ackLatenciesMs).p99Ms.toFixed(1)} ms, ${sent.late} sent late)`,
    operations: workload.callbacks.length,
    throughputPerSecond: workload.callbacks.length / (sent.elapsedMs / 1000),
    ...lags,
    peakRssMiB: memory.peakRssMiB,
  };
}

export async function runWebhookBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-webhooks-'));
  const running = await startServiceProcess(directory, {
    // The production defaults (the webhook rate limit's among them: its cost is measured).
    LOG_LEVEL: 'info',
    WEBHOOK_SECRET_SIM: secret,
  });
  const store = EventStore.connect(running.eventStoreConnectionString);
  const pool = createPool({
    connectionString: running.databaseUrl,
    maxConnections: 2,
    applicationName: 'bench-webhooks',
  });
  const context: Context = {
    url: running.url,
    store,
    pool,
    service: new PaymentService(store),
    servicePid: running.child.pid!,
  };
  try {
    // Warm-up (JIT, connections, schemas): as large as the measured quick burst, which a colder
    // service would otherwise measure mostly compiling.
    await burst(context, 1_000);
    const rows = await burst(context, options.quick ? 1_000 : 10_000);
    const drained = rows.find((row) => row.scenario.includes('read model shows every outcome'));
    const rate = Math.max(50, Math.min(1_000, Math.floor((drained?.throughputPerSecond ?? 0) / 2)));
    rows.push(await steady(context, Math.floor(rate / 10) * 10, options.quick ? 5 : 60));
    return rows;
  } finally {
    await pool.end();
    await store.close();
    await running.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runWebhookBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(markdownTable(rows));
  process.exit(0);
}
