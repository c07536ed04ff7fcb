import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEndpointsFileName } from '../../infra/runtime/service-endpoints.ts';
import {
  projectRoot,
  removeDirectory,
  startApiProcess,
  temporaryDirectory,
  waitUntil,
  type ApiProcess,
} from '../reliability/support/processes.ts';
import { makeKeys, mutate, payloadOf } from '../reliability/support/client.ts';

const execFileAsync = promisify(execFile);
const { keys, configuration } = makeKeys();
let dataDirectory: string;
let api: ApiProcess;

beforeAll(async () => {
  // As `npm start` runs: its own embedded PostgreSQL and event store under DATA_DIR.
  dataDirectory = await temporaryDirectory('ledger-beside-');
  api = await startApiProcess({ dataDirectory, apiKeys: configuration, startTimeoutMs: 120_000 });
  // /healthz answers as soon as it listens; the file follows at once, before the ready line.
  await waitUntil(
    () =>
      stat(join(dataDirectory, serviceEndpointsFileName)).then(
        () => true,
        () => undefined,
      ),
    10_000,
    'the endpoints file',
    50,
  );
}, 180_000);

afterAll(async () => {
  await api?.kill('SIGTERM');
  if (dataDirectory) await removeDirectory(dataDirectory);
});

/** An operator script with DATA_DIR only: no DATABASE_URL, no ESDB_CONNECTION_STRING. */
function script(name: string, ...args: string[]) {
  return execFileAsync(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'scripts', `${name}.ts`), ...args],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDirectory },
      timeout: 240_000,
    },
  );
}

describe('operator scripts beside a running service', () => {
  it('find its stores from the endpoints file it keeps under DATA_DIR (0600)', async () => {
    const path = join(dataDirectory, serviceEndpointsFileName);
    const endpoints = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(endpoints).toMatchObject({ pid: api.process.pid, url: api.url });
    expect(endpoints.databaseUrl).toMatch(/^postgres(ql)?:\/\/.+@127\.0\.0\.1:\d+\//);
    expect(endpoints.eventStoreConnectionString).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replay a projection and verify every read model while it serves', async () => {
    const created = await mutate(api.url, keys.acmeAll.key, 'createPayment', {
      amount: { amount: '1234', currency: 'EUR' },
      idempotencyKey: 'beside-1',
    });
    expect(payloadOf(created, 'createPayment')?.payment?.id).toBeTruthy();
    const replayed = await script('replay', '--projection', 'payments');
    expect(replayed.stdout).toMatch(/payments v1: \d+ events replayed, swapped in/);
    const verified = await script('verify');
    expect(verified.stdout).toContain('VERIFIED');
  }, 300_000);
});

it('the endpoints file goes when the service stops', async () => {
  await api.kill('SIGTERM');
  await expect(readFile(join(dataDirectory, serviceEndpointsFileName), 'utf8')).rejects.toThrow(
    /ENOENT/,
  );
}, 60_000);
