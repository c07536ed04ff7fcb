/**
 * The service as `npm start` runs it (the bundle `dist/start.js`, built from the sources first,
 * in its own process with its embedded PostgreSQL and event store), for scenarios that must measure the whole service: every
 * middleware, the webhook processor and the projections compete for the same CPU as in
 * production. Its log goes to a file, as it would to a log collector, not through this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFreePort } from '../../infra/postgres/embedded.ts';
import { readServiceEndpoints } from '../../infra/runtime/service-endpoints.ts';
import { buildService, defaultOutDirectory } from '../build.ts';

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  databaseUrl: string;
  eventStoreConnectionString: string;
  stop(): Promise<void>;
}

const startTimeoutMs = 120_000;
const startScript = join(defaultOutDirectory, 'start.js');

/** The node flags of `npm start` (package.json: `node <flags> dist/start.js`). */
async function startFlagsOf(): Promise<string[]> {
  const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
    scripts: { start: string };
  };
  return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}
const stopGraceMs = 20_000;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitForLog(path: string, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.includes('payment ledger ready')) return text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tail = (await readFile(path, 'utf8').catch(() => '')).slice(-2_000);
  throw new Error(`the service did not start:\n${tail}`);
}

/**
 * Starts the service on a free port of 127.0.0.1 with `environment` over the defaults. With
 * BENCH_CPU_PROFILE_DIR set, the service writes a CPU profile there when it stops (node refuses
 * --cpu-prof in NODE_OPTIONS, so it is passed here).
 */
export async function startServiceProcess(
  directory: string,
  environment: Record<string, string>,
): Promise<ServiceProcess> {
  const profileDirectory = process.env.BENCH_CPU_PROFILE_DIR;
  const profiling = profileDirectory ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [];
  const port = await findFreePort();
  const logPath = join(directory, 'service.log');
  const log = await open(logPath, 'w');
  await buildService();
  const flags = await startFlagsOf();
  const child = spawn(process.execPath, [...flags, ...profiling, startScript], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(directory, 'data'),
      ...environment,
    },
    stdio: ['ignore', log.fd, log.fd],
  });
  await log.close();
  // Should the bench die before it stops the service (an uncaught error, process.exit), the
  // service still gets its SIGTERM and stops its embedded stores, instead of running on.
  const stopOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.off('exit', stopOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
    await exited(child);
    clearTimeout(timer);
  };
  try {
    await waitForLog(logPath, child);
    // Where its embedded stores listen, as the service keeps it for the operator's scripts.
    const endpoints = await readServiceEndpoints(join(directory, 'data'));
    const { databaseUrl, eventStoreConnectionString } = endpoints ?? {};
    if (!databaseUrl || !eventStoreConnectionString) {
      throw new Error('the service wrote no endpoints of its embedded stores');
    }
    return { child, url: `http://127.0.0.1:${port}`, databaseUrl, eventStoreConnectionString, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function processTree(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const ids = children.split(/\s+/).filter(Boolean).map(Number);
  const descendants = await Promise.all(ids.map(processTree));
  return [pid, ...descendants.flat()];
}

async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name: utime and stime are the 12th and 13th of them (in ticks).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** CPU seconds used so far by the service process itself and by all its descendants. */
export async function cpuSecondsOf(pid: number): Promise<{ service: number; descendants: number }> {
  const [service = 0, ...others] = await Promise.all((await processTree(pid)).map(cpuSeconds));
  return { service, descendants: others.reduce((sum, value) => sum + value, 0) };
}

async function treeCpuSeconds(pid: number): Promise<number> {
  const { service, descendants } = await cpuSecondsOf(pid);
  return service + descendants;
}

/**
 * Waits until the service tree uses under `shareMax` of one core over a `windowMs` window: the
 * projections and the processor have finished the previous phase's backlog, so a reference
 * measured next is not slowed by it.
 */
export async function waitForQuiet(pid: number, timeoutMs: number, windowMs = 500, shareMax = 0.1) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = await treeCpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if ((await treeCpuSeconds(pid)) - before < (shareMax * windowMs) / 1000) return;
  }
  throw new Error(`the service did not go quiet within ${timeoutMs} ms`);
}

