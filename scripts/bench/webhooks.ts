/**
 * Webhook intake: signed callbacks acknowledged per second (each durably stored before its 2xx)
 * under concurrency, next to a raw event-store append of the same payloads; and the time from
 * acknowledgement to processed, with the processor running alongside.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { createApp } from '../../api/app.ts';
import { createWebhookRouter } from '../../api/webhooks/router.ts';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { startEmbeddedEventStore } from '../../infra/eventstore/embedded-process.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import { startWebhookProcessor } from '../../infra/webhooks/processor.ts';
import type { SimCallback } from '../../infra/webhooks/sim-mapper.ts';
import { PaymentService, type Caller } from '../../infra/write/payment-service.ts';
import { markdownTable, sampleRss, summarizeLatencies, type BenchRow } from './bench-row.ts';

const secret = 'bench-secret-0123456789abcdef';
const concurrency = 64;
const floorPerSecond = 2_000;
const logger = createLogger('warn', 'bench');
const caller: Caller = { tenantId: 'bench', actor: 'bench', source: 'system', correlationId: 'bench', causationId: 'bench' };

async function pooled<Item>(items: readonly Item[], limit: number, work: (item: Item) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Two callbacks per payment (authorize, capture): real work for the processor. */
async function prepareCallbacks(service: PaymentService, payments: number, run: string) {
  const callbacks: SimCallback[] = [];
  const created = Math.floor(Date.now() / 1000);
  await pooled([...Array(payments).keys()], 16, async (index) => {
    const providerPaymentId = `bench_${run}_${index}`;
    await service.createPayment(caller, {
      idempotencyKey: `bench-${providerPaymentId}`,
      amount: { amount: '2500', currency: 'USD' },
      providerPaymentId,
    });
    const data = { providerPaymentId, amount: '2500', currency: 'USD' };
    callbacks.push({ id: `evt_${providerPaymentId}_a`, type: 'payment.authorized', created, data });
    callbacks.push({ id: `evt_${providerPaymentId}_c`, type: 'payment.captured', created, data });
  });
  return callbacks;
}

async function rawAppends(store: EventStore, callbacks: readonly SimCallback[]) {
  const durations: number[] = [];
  const started = performance.now();
  await pooled(callbacks, concurrency, async (callback) => {
    const begin = performance.now();
    const data = { provider: 'sim', providerEventId: callback.id, payload: JSON.stringify(callback) };
    await store.append(`rawwebhook-${randomUUID()}`, [{ id: randomUUID(), type: 'RawCallback', data, metadata: {} }], 'no_stream');
    durations.push(performance.now() - begin);
  });
  return { throughput: callbacks.length / ((performance.now() - started) / 1000), latency: summarizeLatencies(durations) };
}

/** A light keep-alive client: fetch costs several times more CPU per request in this process. */
function poster(url: string) {
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  return (path: string, body: string, headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const outgoing = request(
        { host: hostname, port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
}

async function deliver(url: string, callbacks: readonly SimCallback[]) {
  const post = poster(url);
  const durations: number[] = [];
  const ackedAtMs = new Map<string, number>();
  const started = performance.now();
  await pooled(callbacks, concurrency, async (callback) => {
    const body = JSON.stringify(callback);
    const begin = performance.now();
    const signature = signatureHeader(secret, Math.floor(Date.now() / 1000), body);
    const status = await post('/webhooks/sim', body, { 'content-type': 'application/json', 'ledger-signature': signature });
    if (status !== 202) throw new Error(`intake answered ${status}`);
    durations.push(performance.now() - begin);
    ackedAtMs.set(callback.id, Date.now());
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  return { throughput: callbacks.length / elapsedSeconds, latency: summarizeLatencies(durations), ackedAtMs };
}

/** The machine's ceiling for this client: a no-op HTTP server answering 202 (same process). */
async function noopHttp(count: number) {
  const server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => response.writeHead(202).end('{}'));
  });
  const url = `http://127.0.0.1:${await listen(server)}`;
  const post = poster(url);
  const started = performance.now();
  await pooled([...Array(count).keys()], concurrency, async () => void (await post('/', '{}', {})));
  const throughput = count / ((performance.now() - started) / 1000);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return throughput;
}

/** Waits for every callback to be processed, then reads when each was (bounded wait). */
async function processedLatencies(store: EventStore, ackedAtMs: Map<string, number>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const lags: number[] = [];
  let lastProcessedMs = 0;
  for (const [id, ackedAt] of ackedAtMs) {
    for (;;) {
      const state = await loadCallback(store, 'sim', id);
      if (state?.status === 'processed') {
        const processedAt = Date.parse(state.updatedAt);
        lastProcessedMs = Math.max(lastProcessedMs, processedAt);
        lags.push(Math.max(0, processedAt - ackedAt));
        break;
      }
      if (Date.now() > deadline) throw new Error(`callback ${id} not processed in time`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { lags, lastProcessedMs };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function measure(store: EventStore, url: string, service: PaymentService, payments: number): Promise<BenchRow[]> {
  const callbacks = await prepareCallbacks(service, payments, Date.now().toString(36));
  const raw = await rawAppends(store, callbacks);
  const rss = sampleRss();
  const firstAckMs = Date.now();
  const intake = await deliver(url, callbacks);
  const { lags, lastProcessedMs } = await processedLatencies(store, intake.ackedAtMs, 300_000);
  const peakRssMiB = rss.stop();
  const base = { operations: callbacks.length, peakRssMiB };
  const ceiling = await noopHttp(callbacks.length);
  return [
    {
      scenario: `webhook intake: signed callbacks acknowledged/s (durable), ${concurrency} concurrent`,
      ...base,
      throughputPerSecond: intake.throughput,
      ...intake.latency,
      reference: 'raw event-store append of the same payloads',
      referenceThroughputPerSecond: raw.throughput,
      ratio: intake.throughput / raw.throughput,
      floor: `≥ ${floorPerSecond.toLocaleString('en-US')}/s`,
      floorMet: intake.throughput >= floorPerSecond,
    },
    {
      scenario: 'webhook processing: acknowledged → processed (latency per callback)',
      ...base,
      throughputPerSecond: callbacks.length / (Math.max(1, lastProcessedMs - firstAckMs) / 1000),
      ...summarizeLatencies(lags),
    },
    {
      scenario: 'context: intake acknowledged/s vs a no-op HTTP server (same client, same box)',
      ...base,
      throughputPerSecond: intake.throughput,
      ...intake.latency,
      reference: 'no-op node:http server answering 202',
      referenceThroughputPerSecond: ceiling,
      ratio: intake.throughput / ceiling,
    },
  ];
}

export async function runWebhookBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-webhooks-'));
  const server = await startEmbeddedEventStore({ dataDirectory: directory, port: 0, logger, startTimeoutMs: 60_000 });
  const store = EventStore.connect(server.connectionString);
  const service = new PaymentService(store);
  const registry = new Registry();
  const router = createWebhookRouter({ eventStore: store, secrets: new Map([['sim', [secret]]]), logger, registry });
  const http = createServer(createApp({ logger, metrics: registry, dependencies: [], routers: [{ path: '/webhooks', router }] }));
  const url = `http://127.0.0.1:${await listen(http)}`;
  const processor = startWebhookProcessor({ eventStore: store, paymentService: service, logger, registry });
  try {
    await measure(store, url, service, 100); // warm-up: JIT, connections, schemas
    return await measure(store, url, service, options.quick ? 500 : 5_000);
  } finally {
    await processor.stop();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await store.close();
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runWebhookBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(markdownTable(rows));
}
