import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedEventStore } from '../../../infra/eventstore/embedded-process.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { findFreePort } from '../../../infra/postgres/embedded.ts';
import { apiNodeFlags } from '../../../infra/runtime/node-flags.ts';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, milliseconds));
}

export async function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

/** Polls `check` until it returns a value; fails after `timeoutMs`. */
export async function waitUntil<Value>(
  check: () => Promise<Value | undefined>,
  timeoutMs: number,
  what: string,
  pollIntervalMs = 100,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(pollIntervalMs);
  }
}

/** The embedded event store as its own process, so that the API can die without it. */
export interface EventStoreProcess {
  readonly connectionString: string;
  readonly port: number;
  readonly directory: string;
  readonly process: ChildProcess;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (after kill). */
  restart(): Promise<EventStoreProcess>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

export async function startEventStoreProcess(
  options: { directory?: string; port?: number } = {},
): Promise<EventStoreProcess> {
  const directory = options.directory ?? (await temporaryDirectory('ledger-reliability-esdb-'));
  const handle = await startEmbeddedEventStore({
    dataDirectory: directory,
    port: options.port ?? 0,
    logger: createLogger('silent'),
    startTimeoutMs: 60_000,
  });
  const port = Number(new URL(handle.connectionString.replace(/^esdb:/, 'http:')).port);
  const kill = async (): Promise<void> => {
    handle.process.kill('SIGCONT');
    handle.process.kill('SIGKILL');
    await exited(handle.process);
  };
  return {
    connectionString: handle.connectionString,
    port,
    directory,
    process: handle.process,
    kill,
    restart: () => startEventStoreProcess({ directory, port }),
    stop: async () => {
      handle.process.kill('SIGCONT');
      await handle.stop();
      await removeDirectory(directory);
    },
  };
}

export interface ApiProcess {
  readonly url: string;
  readonly process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (logs included). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ApiProcessOptions {
  dataDirectory: string;
  /** Unset: the service runs its embedded PostgreSQL under the data directory. */
  databaseUrl?: string;
  /** Unset: the service runs its embedded event store under the data directory. */
  eventStoreConnectionString?: string;
  apiKeys: unknown[];
  /** Extra variables: WEBHOOK_SECRET_<PROVIDER>, RATE_LIMIT_RPS, LOG_LEVEL... */
  environment?: Record<string, string>;
  startTimeoutMs?: number;
}

/** Output kept per process: enough for a soak's logs; older text is dropped first. */
const outputCharactersMax = 64 * 1024 * 1024;

/**
 * `node <API flags> --import tsx scripts/start.ts`: the sources, with the node flags `npm
 * start` gives the bundle, on a free port of 127.0.0.1. Resolves once `/healthz` answers
 * (whatever LOG_LEVEL says).
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = await findFreePort();
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDirectory,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.eventStoreConnectionString
      ? { ESDB_CONNECTION_STRING: options.eventStoreConnectionString }
      : {}),
    API_KEYS: JSON.stringify(options.apiKeys),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_RPS: '0',
    DATABASE_POOL_SIZE: '5',
    ...options.environment,
  };
  const child = spawn(
    process.execPath,
    [...apiNodeFlags, '--import', 'tsx', join(projectRoot, 'scripts', 'start.ts')],
    { cwd: projectRoot, env: environment, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const append = (text: string): void => {
    output += text;
    if (output.length > outputCharactersMax) output = output.slice(-outputCharactersMax / 2);
  };
  child.stdout.setEncoding('utf8').on('data', append);
  child.stderr.setEncoding('utf8').on('data', append);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited(child);
  };
  const url = `http://127.0.0.1:${port}`;
  let state: string;
  try {
    state = await waitUntil(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return 'exited';
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        return response.ok ? 'ready' : undefined;
      },
      options.startTimeoutMs ?? 60_000,
      'the API to answer /healthz',
      100,
    );
  } catch (error) {
    await kill();
    throw new Error(`the API did not start: ${String(error)}\n${output.slice(-4_000)}`);
  }
  if (state === 'exited') throw new Error(`the API exited during start:\n${output.slice(-4_000)}`);
  return { url, process: child, output: () => output, kill };
}

/** A database of its own, an event-store process and the API process on them. */
export interface Stack {
  api: ApiProcess;
  store: EventStoreProcess;
  databaseUrl: string;
  dataDirectory: string;
  stop(): Promise<void>;
}

export async function startStack(
  apiKeys: unknown[],
  environment: Record<string, string> = {},
): Promise<Stack> {
  const { createTestDatabase } = await import('../../support/database.ts');
  const dataDirectory = await temporaryDirectory('ledger-reliability-api-');
  const [database, store] = await Promise.all([createTestDatabase(), startEventStoreProcess()]);
  const api = await startApiProcess({
    dataDirectory,
    databaseUrl: database.url,
    eventStoreConnectionString: store.connectionString,
    apiKeys,
    environment,
  });
  return {
    api,
    store,
    databaseUrl: database.url,
    dataDirectory,
    stop: async () => {
      await api.kill();
      await store.stop();
      await database.drop();
      await removeDirectory(dataDirectory);
    },
  };
}
