import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEndpointsFileName } from '../../infra/runtime/service-endpoints.ts';
import { projectRoot, startStack, type Stack } from '../reliability/support/processes.ts';
import { makeKeys, mutate, payloadOf } from '../reliability/support/client.ts';

const execFileAsync = promisify(execFile);
let stack: Stack;
const { keys, configuration } = makeKeys();

beforeAll(async () => {
  stack = await startStack(configuration);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** An operator script with DATA_DIR only: no DATABASE_URL, no ESDB_CONNECTION_STRING. */
function script(name: string, ...args: string[]) {
  return execFileAsync(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'scripts', `${name}.ts`), ...args],
    {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: stack.dataDirectory },
      timeout: 240_000,
    },
  );
}

describe('operator scripts beside a running service', () => {
  it('find its stores from the endpoints file it keeps under DATA_DIR (0600)', async () => {
    const path = join(stack.dataDirectory, serviceEndpointsFileName);
    const endpoints = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(endpoints).toMatchObject({ pid: stack.api.process.pid, url: stack.api.url });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replay a projection and verify every read model while it serves', async () => {
    const created = await mutate(stack.api.url, keys.acmeAll.key, 'createPayment', {
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
