/**
 * Scenario 4: GraphQL reads and writes at fixed request rates (autocannon against the service
 * run exactly as `npm start` runs it: built, then `node <flags> dist/start.js` on embedded
 * defaults), each next to its floor measured in the same run: the raw SQL query behind a read,
 * the raw event-store append behind a write. Also the service's memory: the RSS of every
 * process it runs (the API and its embedded event store), PostgreSQL reported apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { findFreePort } from '../../infra/postgres/embedded.ts';
import { readServiceEndpoints } from '../../infra/runtime/service-endpoints.ts';
import { createPool } from '../../infra/postgres/pool.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { apiNodeFlags } from '../../infra/runtime/node-flags.ts';
import { buildService, defaultOutDirectory } from '../build.ts';
import { markdownTable, summarizeLatencies, type BenchRow } from './bench-row.ts';
import { memoryNote, samplePeakServiceMemory } from './process-memory.ts';

const apiKey = 'bench-key-0123456789abcdef';

interface RunningChild {
  child: ChildProcess;
  url: string;
  databaseUrl: string;
  esdb: string;
}

async function startServiceChild(directory: string): Promise<RunningChild> {
  const port = await findFreePort();
  await buildService();
  const entry = join(defaultOutDirectory, 'start.js');
  const child = spawn(process.execPath, [...apiNodeFlags, entry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: directory,
      // npm start's own level: every request is logged, as it would be.
      LOG_LEVEL: 'info',
      RATE_LIMIT_RPS: '0',
      API_KEYS: JSON.stringify([
        { id: 'bench', key: apiKey, tenant: '*', roles: ['read', 'write', 'audit', 'operate'] },
      ]),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('service did not start in 120 s')), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('payment ledger ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error('service exited during start')));
  });
  child.stdout!.resume();
  // Where its embedded stores listen, as the service keeps it for the operator's scripts.
  const endpoints = await readServiceEndpoints(directory);
  const { databaseUrl, eventStoreConnectionString: esdb } = endpoints ?? {};
  if (!databaseUrl || !esdb) throw new Error('the service wrote no endpoints of its embedded stores');
  return { child, url: `http://127.0.0.1:${port}`, databaseUrl, esdb };
}

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, { payment?: { id: string } }> };
}

async function seed(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  const mutation = `mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id } } }`;
  for (let index = 0; index < count; index += 1) {
    const answer = await graphql(url, mutation, {
      input: { amount: { amount: '1000', currency: 'USD' }, idempotencyKey: randomUUID(), merchantId: 'bench' },
    });
    const id = answer.data?.createPayment?.payment?.id;
    if (id) ids.push(id);
  }
  return ids;
}

async function load(
  url: string,
  body: () => string,
  ratePerSecond: number,
  durationSeconds: number,
  watchPid: number,
) {
  const sampler = samplePeakServiceMemory(watchPid);
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections: 8,
    overallRate: ratePerSecond,
    duration: durationSeconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
  });
  const memory = await sampler.stop();
  return {
    throughput: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.non2xx,
    memory,
  };
}

async function timed(count: number, concurrency: number, work: () => Promise<unknown>) {
  const durations: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const begin = performance.now();
        await work();
        durations.push(performance.now() - begin);
      }
    }),
  );
  return { throughput: count / ((performance.now() - started) / 1000), ...summarizeLatencies(durations) };
}

export async function runGraphqlBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-graphql-'));
  const service = await startServiceChild(directory);
  const pool = createPool({ connectionString: service.databaseUrl, maxConnections: 8, applicationName: 'bench' });
  const store = EventStore.connect(service.esdb);
  const durationSeconds = options.quick ? 4 : 30;
  try {
    const ids = await seed(service.url, options.quick ? 100 : 500);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the projections catch up
    const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
    const pageQuery = JSON.stringify({ query: '{ payments(first: 100) { edges { node { id status amount { amount currency } refunds { id } } } } }' });
    const historyQuery = () =>
      JSON.stringify({ query: `{ payment(id: "${pick()}") { id history { type revision position metadata } } }` });
    const createBody = () =>
      JSON.stringify({
        query: `mutation { createPayment(input: { amount: { amount: "500", currency: "USD" }, idempotencyKey: "${randomUUID()}", merchantId: "bench" }) { payment { id } errors { code } } }`,
      });
    const pid = service.child.pid!;
    const page = await load(service.url, () => pageQuery, 50, durationSeconds, pid);
    const history = await load(service.url, historyQuery, 100, durationSeconds, pid);
    const create = await load(service.url, createBody, 100, durationSeconds, pid);
    const rawPage = await timed(500, 8, () =>
      pool.query('SELECT * FROM payments ORDER BY created_at, payment_id LIMIT 100'),
    );
    const rawHistory = await timed(1_000, 8, () => store.readStream(`payment-${pick()}`));
    const rawAppend = await timed(1_000, 8, () =>
      store.append(`bench-raw-${randomUUID()}`, [{ id: randomUUID(), type: 'BenchEvent', data: { amount: '500' }, metadata: {} }], 'no_stream'),
    );
    const row = (scenario: string, measured: Awaited<ReturnType<typeof load>>, reference: string, referenceThroughput: number): BenchRow => ({
      scenario: `${scenario}${measured.errors > 0 ? ` (${measured.errors} errors)` : ''}; ${memoryNote(measured.memory)}`,
      operations: Math.round(measured.throughput * durationSeconds),
      throughputPerSecond: measured.throughput,
      p50Ms: measured.p50Ms,
      p99Ms: measured.p99Ms,
      maxMs: measured.maxMs,
      peakRssMiB: Math.round(measured.memory?.serviceRssMiB ?? 0),
      reference,
      referenceThroughputPerSecond: referenceThroughput,
      ratio: measured.throughput / referenceThroughput,
      floor: 'service RSS < 300 MiB',
      floorMet: measured.memory !== undefined && measured.memory.serviceRssMiB < 300,
    });
    return [
      row('GraphQL payments(first: 100) at 50 req/s', page, 'raw SQL page of 100, 8 concurrent', rawPage.throughput),
      row('GraphQL payment(id) { history } at 100 req/s', history, 'raw event-store stream read, 8 concurrent', rawHistory.throughput),
      row('GraphQL createPayment at 100 req/s', create, 'raw event-store append, 8 concurrent', rawAppend.throughput),
    ];
  } finally {
    await pool.end();
    await store.close();
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.once('exit', resolve));
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runGraphqlBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(markdownTable(rows));
}
