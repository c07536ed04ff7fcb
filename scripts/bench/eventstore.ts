import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { END, EventStoreDBClient, jsonEvent, START } from '@eventstore/db-client';
import { LogFile } from '../../infra/eventstore-server/storage/log-file.ts';
import { encodeRecord } from '../../infra/eventstore-server/storage/record-codec.ts';
import { startEventStoreServer } from '../../infra/eventstore-server/index.ts';
import type { BenchRow } from './bench-row.ts';
import { encodedReadRing } from './read-message-ring.ts';

export interface BenchOptions {
  quick: boolean;
  /** Only the cold-start scenario (the full-mode 1,000,000-event log takes a while to write). */
  restartOnly?: boolean;
  /** Another checkout whose server runs the same scenarios in the same run, for before/after ratios. */
  compareRoot?: string;
}

interface Sizes {
  singleAppends: number;
  concurrentAppends: number;
  batchOf10Events: number;
  batchOf100Events: number;
  restartEvents: number;
}

const quickSizes: Sizes = { singleAppends: 500, concurrentAppends: 4_000, batchOf10Events: 10_000, batchOf100Events: 50_000, restartEvents: 50_000 };
const fullSizes: Sizes = { singleAppends: 5_000, concurrentAppends: 40_000, batchOf10Events: 100_000, batchOf100Events: 500_000, restartEvents: 1_000_000 };
const scenarioTimeLimitMs = 60_000;
const readyTimeoutMs = 120_000;
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const payload = { accountId: 'acc-0001', amountMinor: '12345', currency: 'EUR', note: 'benchmark payload of a typical size' };

interface RunningChild {
  child: ChildProcess;
  connectionString: string;
  readyMs: number;
}

function startChild(dataDirectory: string, root = repositoryRoot): Promise<RunningChild> {
  return spawnUntilReady(
    ['scripts/esdb.ts', '--port', '0', '--db', dataDirectory, '--exit-with-parent'],
    /esdb listening on (\S+) /,
    root,
  );
}

/** Runs a script of `root` (through tsx) until it prints its connection string. */
function spawnUntilReady(args: string[], ready: RegExp, root = repositoryRoot): Promise<RunningChild> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    // Standard input is a pipe from here: a server given --exit-with-parent stops when it ends.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Should the bench end without stopping it (an uncaught error, process.exit), it stops too.
  const stopOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopOnExit);
  child.once('exit', () => process.off('exit', stopOnExit));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start`)), readyTimeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, connectionString: match[1] as string, readyMs: performance.now() - startedAt });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

async function stopChild(running: RunningChild): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
}

/** Peak resident set of the server process (Linux); 0 where /proc is not available. */
async function peakRssMiB(child: ChildProcess): Promise<number> {
  try {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function percentile(sortedMs: number[], fraction: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor(fraction * sortedMs.length))] as number;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function row(scenario: string, operations: number, elapsedMs: number, latenciesMs: number[], rssMiB: number): BenchRow {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    scenario,
    operations,
    throughputPerSecond: Math.round((operations / elapsedMs) * 1000),
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted.at(-1) ?? 0),
    peakRssMiB: rssMiB,
  };
}

const events = (count: number) => Array.from({ length: count }, () => jsonEvent({ type: 'BenchEvent', data: payload }));

/** `writers` loops, each appending `batchSize` events at a time until `totalEvents` are written. */
async function appendScenario(client: EventStoreDBClient, writers: number, batchSize: number, totalEvents: number) {
  const latenciesMs: number[] = [];
  const deadline = performance.now() + scenarioTimeLimitMs;
  let written = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const stream = `bench-${batchSize}-${writer}-${randomUUID()}`;
      while (written < totalEvents && performance.now() < deadline) {
        written += batchSize;
        const began = performance.now();
        await client.appendToStream(stream, events(batchSize));
        latenciesMs.push(performance.now() - began);
      }
    }),
  );
  return { written, elapsedMs: performance.now() - startedAt, latenciesMs };
}

/** The disk's own ceiling: the same record bytes, written and fdatasync'ed by one writer. */
async function rawFsyncRate(directory: string, batchSize: number, batches: number): Promise<number> {
  const record = encodeRecord({
    streamName: 'bench-reference', revision: 0n, eventType: 'BenchEvent', eventId: Buffer.alloc(16), createdMs: Date.now(),
    isJson: true, endsTransaction: true, data: Buffer.from(JSON.stringify(payload)), metadata: Buffer.alloc(0),
  });
  const chunk = Buffer.concat(Array.from({ length: batchSize }, () => record));
  const handle = await open(join(directory, `reference-${batchSize}.bin`), 'w');
  const startedAt = performance.now();
  let offset = 0;
  for (let batch = 0; batch < batches && performance.now() - startedAt < scenarioTimeLimitMs; batch += 1) {
    await handle.write(chunk, 0, chunk.length, offset);
    await handle.datasync();
    offset += chunk.length;
  }
  const elapsedMs = performance.now() - startedAt;
  await handle.close();
  return Math.round(((offset / record.length) / elapsedMs) * 1000);
}

async function readScenarios(client: EventStoreDBClient, child: ChildProcess): Promise<BenchRow[]> {
  let count = 0;
  let cpuBefore = await serverCpuMs(child);
  const startedAt = performance.now();
  for await (const _event of client.readAll({ fromPosition: START, maxCount: 10_000_000 })) count += 1;
  const readRow = withCpu(row('$all read (events/s)', count, performance.now() - startedAt, [], await peakRssMiB(child)), cpuBefore, await serverCpuMs(child));
  cpuBefore = await serverCpuMs(child);
  const catchUp = await betterOfTwoCatchUps(client);
  // This process is the client: its one thread busy all along means the client is the limit.
  const clientLoad = clientLoadOf(catchUp);
  const catchUpRow = withCpu(row(`catch-up subscription to $all (events/s; ${clientLoad})`, catchUp.delivered, catchUp.elapsedMs, [], await peakRssMiB(child)), cpuBefore, await serverCpuMs(child), 2);
  const ceiling = await replayCeiling(catchUp.delivered);
  const reference = `the same client subscribing to a replay-only gRPC server (no storage, messages encoded beforehand; ${clientLoadOf(ceiling.run)})`;
  return [readRow, withReference(catchUpRow, reference, ceiling.perSecond), decodeOnlyRow()];
}

interface ClientInternals {
  deserialize: (bytes: Buffer) => { getEvent(): unknown };
  convert: (readEvent: unknown) => { event?: { revision: bigint } };
}

/** The official client's own decoding of a `ReadResp` (what grpc-js calls) and conversion. */
function clientInternals(): ClientInternals {
  const load = createRequire(import.meta.url);
  const grpc = load('@eventstore/db-client/generated/streams_grpc_pb.js') as {
    StreamsService: { read: { responseDeserialize: ClientInternals['deserialize'] } };
  };
  const utils = load('@eventstore/db-client/dist/utils/index.js') as { convertGrpcEvent: ClientInternals['convert'] };
  return { deserialize: grpc.StreamsService.read.responseDeserialize, convert: utils.convertGrpcEvent };
}

/**
 * The floor under any catch-up to this client: its decoding of each message and conversion into
 * an event, called in a loop on messages held in memory: no network, no HTTP/2, no streams. The
 * best of five rounds.
 */
function decodeOnlyRow(): BenchRow {
  const { deserialize, convert } = clientInternals();
  const messages = encodedReadRing(Buffer.byteLength(JSON.stringify(payload)));
  const perRound = 100_000;
  let bestMs = Number.POSITIVE_INFINITY;
  let seen = 0n;
  for (let round = 0; round < 5; round += 1) {
    const before = process.cpuUsage();
    for (let index = 0; index < perRound; index += 1) {
      seen += convert(deserialize(messages[index % messages.length]!).getEvent()).event?.revision ?? 0n;
    }
    const cpu = process.cpuUsage(before);
    bestMs = Math.min(bestMs, (cpu.user + cpu.system) / 1000);
  }
  if (seen < 0n) throw new Error('unreachable: revisions are not negative');
  return row('official client decoding alone: ReadResp messages in memory, no I/O (events/s of one core)', perRound, bestMs, [], Math.round(process.memoryUsage().rss / 2 ** 20));
}

interface CatchUpRun {
  delivered: number;
  elapsedMs: number;
  clientCpuMs: number;
}

function clientLoadOf(run: CatchUpRun): string {
  return `client CPU ${round((run.clientCpuMs * 1000) / run.delivered)} µs/event, ${Math.round((100 * run.clientCpuMs) / run.elapsedMs)} % of a core`;
}

/** A catch-up subscription from the start of `$all` until the server says it caught up. */
async function catchUpFromStart(client: EventStoreDBClient): Promise<CatchUpRun> {
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const subscription = client.subscribeToAll({ fromPosition: START });
  let delivered = 0;
  await new Promise<void>((resolve, reject) => {
    subscription.on('caughtUp', () => resolve());
    subscription.on('error', reject);
    subscription.on('data', () => {
      delivered += 1;
    });
  });
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  await subscription.unsubscribe();
  return { delivered, elapsedMs, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Two catch-ups back to back, the faster one kept (the first also warms the code paths up). */
async function betterOfTwoCatchUps(client: EventStoreDBClient): Promise<CatchUpRun> {
  const first = await catchUpFromStart(client);
  const second = await catchUpFromStart(client);
  return second.elapsedMs < first.elapsedMs ? second : first;
}

/**
 * What the official client can take in at all on this machine: the same number of events of the
 * same size from scripts/bench/replay-read-server.ts, which stores and reads nothing. The better
 * of two runs, as for the store itself.
 */
async function replayCeiling(events: number): Promise<{ perSecond: number; run: CatchUpRun }> {
  const dataBytes = Buffer.byteLength(JSON.stringify(payload));
  const replay = await spawnUntilReady(['scripts/bench/replay-read-server.ts', '--events', String(events), '--data-bytes', String(dataBytes)], /replay listening on (\S+)/);
  const client = EventStoreDBClient.connectionString(replay.connectionString);
  try {
    const run = await betterOfTwoCatchUps(client);
    return { perSecond: Math.round((run.delivered / run.elapsedMs) * 1000), run };
  } finally {
    await client.dispose();
    await stopChild(replay);
  }
}

/** Server process CPU time in ms (Linux /proc, 100 ticks per second); 0 elsewhere. */
async function serverCpuMs(child: ChildProcess): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Server CPU per operation of the row; `runs` when the CPU was spent on that many runs of it. */
function withCpu(benchRow: BenchRow, cpuBeforeMs: number, cpuAfterMs: number, runs = 1): BenchRow {
  if (benchRow.operations === 0 || cpuAfterMs === 0) return benchRow;
  return { ...benchRow, serverCpuUsPerOperation: round(((cpuAfterMs - cpuBeforeMs) * 1000) / (benchRow.operations * runs)) };
}

/** Writes `count` events straight into a log (the server's own format). */
async function writeRestartLog(dataDirectory: string, count: number): Promise<void> {
  const { log } = await LogFile.open(join(await ensureDirectory(dataDirectory), 'events.log'), () => undefined);
  const data = Buffer.from(JSON.stringify(payload));
  const batchSize = 10_000;
  for (let first = 0; first < count; first += batchSize) {
    const records = Array.from({ length: Math.min(batchSize, count - first) }, (_, index) => encodeRecord({
      streamName: `restart-${(first + index) % 1000}`, revision: BigInt(Math.floor((first + index) / 1000)), eventType: 'BenchEvent',
      eventId: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'), createdMs: Date.now(), isJson: true, endsTransaction: true, data, metadata: Buffer.alloc(0),
    }));
    await log.enqueue(records).durable;
  }
  await log.close();
}

/** Times a cold start (spawn to ready line) on a log written by `writeRestartLog`. */
async function restartScenario(dataDirectory: string, count: number, root: string): Promise<BenchRow> {
  const running = await startChild(dataDirectory, root);
  const rssMiB = await peakRssMiB(running.child);
  await stopChild(running);
  return row(`restart with ${count} events stored (ms to ready)`, count, running.readyMs, [running.readyMs], rssMiB);
}

async function ensureDirectory(directory: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(directory, { recursive: true });
  return directory;
}

/** The floors issue 3 names, attached to the rows they judge. */
function withFloor(benchRow: BenchRow): BenchRow {
  const floorOf = (text: string, met: boolean): BenchRow => ({ ...benchRow, floor: text, floorMet: met });
  const perSecond = benchRow.throughputPerSecond;
  if (benchRow.scenario.startsWith('append 1 event, 16 writers')) return floorOf('≥ 2,000 events/s', perSecond >= 2_000);
  if (benchRow.scenario.startsWith('append batches of 100')) return floorOf('≥ 10,000 events/s', perSecond >= 10_000);
  if (benchRow.scenario.startsWith('catch-up subscription')) return floorOf('≥ 50,000 events/s', perSecond >= 50_000);
  if (benchRow.scenario.startsWith('restart with') && benchRow.operations >= 1_000_000) {
    return floorOf('< 10 s with 1,000,000 events', benchRow.maxMs < 10_000);
  }
  return benchRow;
}

function withReference(benchRow: BenchRow, reference: string, referenceThroughput: number): BenchRow {
  return { ...benchRow, reference, referenceThroughputPerSecond: referenceThroughput, ratio: round(benchRow.throughputPerSecond / referenceThroughput) };
}

interface Target {
  label: string;
  root: string;
}

interface LiveTarget extends Target {
  running: RunningChild;
  client: EventStoreDBClient;
}

type AppendScenario = [string, number, number, number, number];

export async function runEventStoreBench(options: BenchOptions): Promise<BenchRow[]> {
  const sizes = options.quick ? quickSizes : fullSizes;
  const targets: Target[] = [{ label: 'current', root: repositoryRoot }];
  if (options.compareRoot) targets.push({ label: 'compared', root: options.compareRoot });
  const directory = await mkdtemp(join(tmpdir(), 'esdb-bench-'));
  try {
    const rows = options.restartOnly ? [] : await serverScenarios(directory, sizes, targets);
    if (!options.restartOnly) rows.push(...(await placementScenarios(directory, sizes.concurrentAppends)));
    const restartDirectory = join(directory, 'restart');
    await writeRestartLog(restartDirectory, sizes.restartEvents);
    for (const target of targets) rows.push(labelled(await restartScenario(restartDirectory, sizes.restartEvents, target.root), target));
    return rows.map(withFloor);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Appends then reads; with two targets, each scenario runs on one and then the other, back to back. */
async function serverScenarios(directory: string, sizes: Sizes, targets: Target[]): Promise<BenchRow[]> {
  const live: LiveTarget[] = [];
  for (const target of targets) {
    const running = await startChild(join(directory, `db-${target.label}`), target.root);
    live.push({ ...target, running, client: EventStoreDBClient.connectionString(running.connectionString) });
  }
  try {
    const rows: BenchRow[] = [];
    const referenceSingle = await rawFsyncRate(directory, 1, sizes.singleAppends);
    const referenceBatch10 = await rawFsyncRate(directory, 10, sizes.batchOf10Events / 10);
    const referenceBatch100 = await rawFsyncRate(directory, 100, sizes.batchOf100Events / 100);
    const scenarios: AppendScenario[] = [
      ['append 1 event, 1 writer (events/s)', 1, 1, sizes.singleAppends, referenceSingle],
      ['append 1 event, 16 writers (events/s)', 16, 1, sizes.concurrentAppends, referenceSingle],
      ['append batches of 10 (events/s)', 1, 10, sizes.batchOf10Events, referenceBatch10],
      ['append batches of 100 (events/s)', 1, 100, sizes.batchOf100Events, referenceBatch100],
    ];
    for (const scenario of scenarios) {
      for (const target of live) rows.push(labelled(await appendRow(target, scenario), target));
    }
    for (const target of live) rows.push(...(await readScenarios(target.client, target.running.child)).map((benchRow) => labelled(benchRow, target)));
    return rows;
  } finally {
    for (const target of live) {
      await target.client.dispose();
      await stopChild(target.running);
    }
  }
}

async function appendRow(target: LiveTarget, [scenario, writers, batchSize, total, reference]: AppendScenario): Promise<BenchRow> {
  const cpuBefore = await serverCpuMs(target.running.child);
  const result = await appendScenario(target.client, writers, batchSize, total);
  const cpuAfter = await serverCpuMs(target.running.child);
  const benchRow = row(scenario, result.written, result.elapsedMs, result.latenciesMs, await peakRssMiB(target.running.child));
  return withReference(withCpu(benchRow, cpuBefore, cpuAfter), `raw write+fdatasync, ${batchSize} record(s) per sync, 1 writer`, reference);
}

/**
 * The service's own shape of load: 16 writers appending single events while a live subscription
 * to `$all` in the same process decodes everything they write (as the projections do). Run once
 * with the server in this process and once as a child process: which placement `npm start` uses.
 */
async function serviceShapedLoad(connectionString: string, totalEvents: number) {
  const client = EventStoreDBClient.connectionString(connectionString);
  try {
    await client.appendToStream(`placement-warm-${randomUUID()}`, events(1));
    const subscription = client.subscribeToAll({ fromPosition: END });
    let delivered = 0;
    subscription.on('data', () => {
      delivered += 1;
    });
    const startedAt = performance.now();
    const result = await appendScenario(client, 16, 1, totalEvents);
    const drainDeadline = performance.now() + scenarioTimeLimitMs;
    while (delivered < result.written && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 10));
    // Until the subscriber has seen every event: the placement matters to both sides of the load.
    const elapsedMs = performance.now() - startedAt;
    await subscription.unsubscribe();
    return { ...result, delivered, elapsedMs };
  } finally {
    await client.dispose();
  }
}

async function placementScenarios(directory: string, totalEvents: number): Promise<BenchRow[]> {
  const inProcess = await startEventStoreServer({ port: 0, dataDirectory: join(directory, 'placement-in-process') });
  const inProcessResult = await serviceShapedLoad(inProcess.connectionString, totalEvents).finally(() => inProcess.close());
  const inProcessRow = row('server in-process: 16 writers + live $all subscription (events/s)', inProcessResult.written, inProcessResult.elapsedMs, inProcessResult.latenciesMs, Math.round(process.memoryUsage().rss / 2 ** 20));
  const child = await startChild(join(directory, 'placement-child'));
  try {
    const childResult = await serviceShapedLoad(child.connectionString, totalEvents);
    const childRow = row('server as child process: 16 writers + live $all subscription (events/s)', childResult.written, childResult.elapsedMs, childResult.latenciesMs, await peakRssMiB(child.child));
    return [inProcessRow, withReference(childRow, 'the same load with the server in-process', inProcessRow.throughputPerSecond)];
  } finally {
    await stopChild(child);
  }
}

function labelled(benchRow: BenchRow, target: Target): BenchRow {
  return target.label === 'current' ? benchRow : { ...benchRow, scenario: `${benchRow.scenario} [${target.label}]` };
}

function printTable(rows: BenchRow[]): void {
  console.table(rows.map((benchRow) => ({
    scenario: benchRow.scenario,
    operations: benchRow.operations,
    'per second': benchRow.throughputPerSecond,
    'p50 ms': benchRow.p50Ms,
    'p99 ms': benchRow.p99Ms,
    'max ms': benchRow.maxMs,
    'peak RSS MiB': benchRow.peakRssMiB,
    'server CPU µs/op': benchRow.serverCpuUsPerOperation ?? '',
    'reference /s': benchRow.referenceThroughputPerSecond ?? '',
    ratio: benchRow.ratio ?? '',
  })));
}

function optionValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runEventStoreBench({
    quick: process.argv.includes('--quick'),
    restartOnly: process.argv.includes('--restart-only'),
    compareRoot: optionValue('--compare'),
  }).then(printTable, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
