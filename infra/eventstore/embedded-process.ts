import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../logging/logger.ts';
import { eventStoreNodeFlags } from '../runtime/node-flags.ts';
import { RestartOnExit } from '../runtime/restart-on-exit.ts';

const modulePath = fileURLToPath(import.meta.url);
const readyPattern = /esdb listening on (\S+)/;

/**
 * How to run the event store, matching how this module itself runs: bundled into dist/ (npm
 * start), the bundled entry beside it under plain node; from the sources (tests, tsx), the
 * source entry under tsx.
 */
function eventStoreCommand(): { cwd: string; args: string[] } {
  if (!modulePath.endsWith('.ts')) {
    const outDirectory = dirname(modulePath);
    return { cwd: dirname(outDirectory), args: [join(outDirectory, 'esdb.js')] };
  }
  const projectRoot = resolve(dirname(modulePath), '..', '..');
  return { cwd: projectRoot, args: ['--import', 'tsx', join(projectRoot, 'scripts', 'esdb.ts')] };
}

export interface EmbeddedEventStoreHandle {
  readonly connectionString: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface EmbeddedEventStoreOptions {
  dataDirectory: string;
  /** 0 lets the server pick a free port. */
  port: number;
  logger: Logger;
  startTimeoutMs: number;
  /**
   * Started again, on the same port, whenever it exits without being asked to (a crash, a kill):
   * what `npm start` wants. Off for tests that take it down on purpose.
   */
  restartOnExit?: boolean;
}

function portOf(connectionString: string): number {
  return Number(new URL(connectionString.replace(/^esdb:/, 'http:')).port);
}

/**
 * The event store kept running (see RestartOnExit): after an unexpected exit, a new server on
 * the same port and directory, which recovers its log as after any crash.
 */
function supervised(
  first: EmbeddedEventStoreHandle,
  options: EmbeddedEventStoreOptions,
): EmbeddedEventStoreHandle {
  const port = portOf(first.connectionString);
  let current = first;
  const watcher = new RestartOnExit(
    {
      name: 'embedded event store',
      logger: options.logger.child({ component: 'esdb' }),
      start: async () => {
        current = await spawnEventStore({ ...options, port });
        return current.process;
      },
    },
    first.process,
  );
  return {
    connectionString: first.connectionString,
    get process() {
      return watcher.process;
    },
    stop: async () => {
      await watcher.stop();
      await current.stop();
    },
  };
}

/**
 * Runs the embedded EventStoreDB-compatible server as a child process, so that its fsyncs and
 * serialisation use the second core and a crash of either process cannot corrupt the other.
 */
export async function startEmbeddedEventStore(
  options: EmbeddedEventStoreOptions,
): Promise<EmbeddedEventStoreHandle> {
  const first = await spawnEventStore(options);
  return options.restartOnExit ? supervised(first, options) : first;
}

function spawnEventStore(options: EmbeddedEventStoreOptions): Promise<EmbeddedEventStoreHandle> {
  const command = eventStoreCommand();
  const child = spawn(
    process.execPath,
    [
      ...eventStoreNodeFlags,
      ...command.args,
      '--port',
      String(options.port),
      '--db',
      resolve(options.dataDirectory),
      '--host',
      '127.0.0.1',
      // It stops when this process dies in any way (its standard input, a pipe from here, then
      // ends), so that a crashed service leaves no server holding the data directory.
      '--exit-with-parent',
    ],
    { cwd: command.cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env } },
  );
  const logger = options.logger.child({ component: 'esdb' });
  createInterface({ input: child.stderr }).on('line', (line) => logger.warn({ esdb: line }));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`embedded event store did not start within ${options.startTimeoutMs} ms`));
    }, options.startTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`embedded event store exited during start (code ${code}, signal ${signal})`),
      );
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = readyPattern.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        logger.info({ line }, 'embedded event store ready');
        resolveStart({ connectionString: match[1], process: child, stop });
      } else {
        logger.debug({ esdb: line });
      }
    });
  });
}
