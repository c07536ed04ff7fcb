import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../infra/postgres/embedded.ts';
import { apiNodeFlags, eventStoreNodeFlags } from '../../infra/runtime/node-flags.ts';
import { buildService, defaultOutDirectory } from '../../scripts/build.ts';

const apiKey = 'build-test-key-0123456789abcdef';

async function commandLinesBelow(pid: number): Promise<string[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')),
  );
  const children = lists.join(' ').split(/\s+/).filter(Boolean).map(Number);
  const own = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const below = await Promise.all(children.map((child) => commandLinesBelow(child)));
  return [own.split('\0').join(' ').trim(), ...below.flat()];
}

/** Command lines of every process on the machine that mention `text`. */
async function processesMentioning(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(
    pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')),
  );
  return lines.map((line) => line.split('\0').join(' ')).filter((line) => line.includes(text));
}

async function waitForReady(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited:\n${output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the service did not get ready:\n${output()}`);
}

/** npm start runs the bundle: this builds it and runs it the way the start script does. */
describe('the built service', () => {
  let outDirectory: string;
  let dataDirectory: string;

  beforeAll(async () => {
    // Inside the project, as dist/ is: the bundle finds its dependencies in node_modules.
    await mkdir(defaultOutDirectory, { recursive: true });
    outDirectory = await mkdtemp(join(defaultOutDirectory, 'test-'));
    dataDirectory = await mkdtemp(join(tmpdir(), 'ledger-build-data-'));
    await buildService(outDirectory);
  });
  afterAll(async () => {
    await rm(outDirectory, { recursive: true, force: true });
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('is what npm start and npm run esdb run, each with its node flags', async () => {
    const scripts = (
      JSON.parse(await readFile('package.json', 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const command = (flags: readonly string[], entry: string) =>
      ['node', ...flags, entry].join(' ');
    expect(scripts.prestart).toBe('tsx scripts/build.ts');
    expect(scripts.start).toBe(command(apiNodeFlags, 'dist/start.js'));
    expect(scripts.preesdb).toBe('tsx scripts/build.ts');
    expect(scripts.esdb).toBe(command(eventStoreNodeFlags, 'dist/esdb.js'));
    expect((await readdir(join(outDirectory, 'migrations'))).sort()).toEqual(
      (await readdir('infra/postgres/migrations')).filter((name) => name.endsWith('.sql')).sort(),
    );
  });

  it('starts everything on embedded defaults under plain node, serves, and stops cleanly', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, [...apiNodeFlags, join(outDirectory, 'start.js')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDirectory,
        LOG_LEVEL: 'warn',
        API_KEYS: JSON.stringify([{ id: 'build', key: apiKey, tenant: 'acme', roles: ['write'] }]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForReady(url, child, () => output);
      const processes = await commandLinesBelow(child.pid!);
      // The embedded event store is the bundled one, and nothing runs a TypeScript loader.
      const stores = processes.filter((line) => line.includes(join(outDirectory, 'esdb.js')));
      expect(stores).toHaveLength(1);
      expect(stores[0]).toContain(eventStoreNodeFlags.join(' '));
      expect(processes.filter((line) => /tsx|esbuild/.test(line))).toEqual([]);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({
          query: `mutation { createPayment(input: { amount: { amount: "1050", currency: "USD" },
            idempotencyKey: "${randomUUID()}", merchantId: "acme" }) { payment { status amount { amount } } errors { code } } }`,
        }),
      });
      expect(await response.json()).toEqual({
        data: {
          createPayment: {
            payment: { status: 'INITIATED', amount: { amount: '1050' } },
            errors: [],
          },
        },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Its event store and PostgreSQL stopped with it.
    expect(await processesMentioning(outDirectory)).toEqual([]);
    expect(await processesMentioning(dataDirectory)).toEqual([]);
  }, 180_000);
});
