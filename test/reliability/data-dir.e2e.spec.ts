import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRunning } from '../../infra/eventstore-server/storage/directory-lock.ts';
import { makeKeys, mutate, payloadOf } from './support/client.ts';
import {
  exited,
  projectRoot,
  removeDirectory,
  startApiProcess,
  temporaryDirectory,
  waitUntil,
  type ApiProcess,
} from './support/processes.ts';

async function holderPid(lockFile: string): Promise<number> {
  return (JSON.parse(await readFile(lockFile, 'utf8')) as { pid: number }).pid;
}

async function readyStatus(api: ApiProcess): Promise<number> {
  return (await fetch(`${api.url}/readyz`)).status;
}

/**
 * The service on its embedded stores owns its DATA_DIR: a second one refuses to start there and
 * harms nothing of the first; a service killed with -9 leaves nothing running that holds it;
 * its event store or PostgreSQL, should it crash, is started again; and it stops when asked even
 * with PostgreSQL down.
 */
describe('one service per DATA_DIR with embedded stores', () => {
  const { keys, configuration } = makeKeys();
  let dataDirectory: string;
  const running: ApiProcess[] = [];

  beforeAll(async () => {
    dataDirectory = await temporaryDirectory('ledger-reliability-data-dir-');
  });

  afterAll(async () => {
    for (const api of running) await api.kill();
    await removeDirectory(dataDirectory);
  });

  const start = async () => {
    const api = await startApiProcess({
      dataDirectory,
      apiKeys: configuration,
      startTimeoutMs: 120_000,
    });
    running.push(api);
    await waitUntil(
      async () => ((await readyStatus(api)) === 200 ? true : undefined),
      60_000,
      'the service to be ready',
    );
    return api;
  };
  /** The service the previous test left running, or a new one (a test run alone). */
  const current = async () =>
    running.findLast((api) => api.process.exitCode === null && api.process.signalCode === null) ??
    (await start());

  it('refuses a second service on the same DATA_DIR, and the first one stays ready', async () => {
    const first = await start();
    const refusal = await startApiProcess({ dataDirectory, apiKeys: configuration }).then(
      (second) => {
        running.push(second);
        return 'started';
      },
      (error: unknown) => String(error),
    );
    expect(refusal).toContain(
      `start failed: DATA_DIR ${dataDirectory} is in use by process ${first.process.pid}`,
    );
    expect(await readyStatus(first)).toBe(200);
  });

  it('after kill -9 of the service its event store stops by itself, and a script, then a new service, start there', async () => {
    const first = await current();
    const eventStorePid = await holderPid(join(dataDirectory, 'esdb', 'esdb.lock'));
    expect(processRunning(eventStorePid)).toBe(true);
    await first.kill('SIGKILL');
    await waitUntil(
      async () => (processRunning(eventStorePid) ? undefined : true),
      15_000,
      'the orphaned event store to stop',
    );
    // An operator's script runs the stores itself now: the killed service's PostgreSQL is stale.
    const verify = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDirectory },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('VERIFIED');
    const next = await start();
    expect(await readyStatus(next)).toBe(200);
  });

  /** The pid holding a store: the event store's lock, or PostgreSQL's postmaster.pid. */
  const storePid = {
    'embedded event store': () => holderPid(join(dataDirectory, 'esdb', 'esdb.lock')),
    'embedded PostgreSQL': async () =>
      Number(
        (await readFile(join(dataDirectory, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      ),
  };

  for (const [name, pidOf] of Object.entries(storePid)) {
    it(`starts its ${name} again after a crash, and takes writes again`, async () => {
      const api = await current();
      const crashed = await pidOf();
      process.kill(crashed, 'SIGKILL');
      await waitUntil(
        async () => {
          const holder = await pidOf();
          return holder !== crashed && processRunning(holder) && (await readyStatus(api)) === 200
            ? true
            : undefined;
        },
        60_000,
        `the ${name} to be started again and the service to be ready`,
      );
      const created = await mutate(api.url, keys.acmeAll.key, 'createPayment', {
        idempotencyKey: randomUUID(),
        amount: { amount: '1000', currency: 'USD' },
        reference: `restart-${randomUUID()}`,
      });
      const payment = payloadOf(created, 'createPayment');
      expect(payment?.errors).toEqual([]);
      expect(payment?.payment?.status).toBeDefined();
      expect(api.output()).toContain(`${name} started again`);
    });
  }

  it('stops on SIGTERM while its PostgreSQL is down', async () => {
    const api = await current();
    process.kill(await storePid['embedded PostgreSQL'](), 'SIGKILL');
    const started = Date.now();
    api.process.kill('SIGTERM');
    await exited(api.process);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(api.process.exitCode).toBe(0);
  });
});

describe('a start refused for the operator to fix', () => {
  it('names the port in use, exits 1 and leaves no store running', async () => {
    const { configuration } = makeKeys();
    const dataDirectory = await temporaryDirectory('ledger-reliability-port-');
    const blocker = createServer();
    await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const refusal = await startApiProcess({
        dataDirectory,
        apiKeys: configuration,
        environment: { PORT: String(port) },
      }).then(
        (api) => api.kill().then(() => 'started'),
        (error: unknown) => String(error),
      );
      expect(refusal).toContain(
        `start failed: PORT ${port} on 127.0.0.1 is in use: set PORT to a free port (0 picks one)`,
      );
      expect(refusal).not.toContain('    at ');
      // The embedded stores it had started were stopped: their locks are released.
      expect(existsSync(join(dataDirectory, 'esdb', 'esdb.lock'))).toBe(false);
      expect(existsSync(join(dataDirectory, 'service.lock'))).toBe(false);
    } finally {
      blocker.close();
      await removeDirectory(dataDirectory);
    }
  });
});
