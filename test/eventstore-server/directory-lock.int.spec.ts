import { spawn } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataDirectoryLockedError,
  lockDataDirectory,
  lockFileName,
  processRunning,
} from '../../infra/eventstore-server/storage/directory-lock.ts';
import { startEventStoreServer } from '../../infra/eventstore-server/index.ts';
import { spawnServer, waitForExit } from './support/child-server.ts';
import { delay, failureOf, temporaryDirectory } from './support/server-harness.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

const directories: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  for (const directory of directories.splice(0))
    await rm(directory, { recursive: true, force: true });
});

async function freshDirectory(): Promise<string> {
  const directory = await temporaryDirectory('esdb-lock-');
  directories.push(directory);
  return directory;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await waitForExit(child);
  return child.pid!;
}

async function appendOne(connectionString: string, stream: string): Promise<void> {
  const client = EventStoreDBClient.connectionString(connectionString);
  try {
    await client.appendToStream(stream, jsonEvent({ type: 'Locked', data: { ok: true } }));
  } finally {
    await client.dispose();
  }
}

async function streamLength(connectionString: string, stream: string): Promise<number> {
  const client = EventStoreDBClient.connectionString(connectionString);
  try {
    let count = 0;
    for await (const _ of client.readStream(stream)) count += 1;
    return count;
  } finally {
    await client.dispose();
  }
}

describe('one server per data directory', () => {
  it('refuses a second server on a directory in use, and opens it once the first is closed', async () => {
    const directory = await freshDirectory();
    const first = await startEventStoreServer({ port: 0, dataDirectory: directory });
    cleanups.push(() => first.close());
    await appendOne(first.connectionString, 'lock-a');

    const refused = await failureOf(() =>
      startEventStoreServer({ port: 0, dataDirectory: directory, lockWaitMs: 200 }),
    );
    expect(refused).toBeInstanceOf(DataDirectoryLockedError);
    expect(refused.message).toContain(`in use by process ${process.pid}`);
    // The refused start changed nothing: the first server still serves and writes.
    await appendOne(first.connectionString, 'lock-a');

    await first.close();
    expect(await exists(join(directory, lockFileName))).toBe(false);
    const second = await startEventStoreServer({ port: 0, dataDirectory: directory });
    cleanups.push(() => second.close());
    expect(await streamLength(second.connectionString, 'lock-a')).toBe(2);
  });

  it('refuses a directory held by a server in another process, naming that process', async () => {
    const directory = await freshDirectory();
    const other = await spawnServer(directory);
    cleanups.push(async () => {
      other.process.kill('SIGKILL');
      await waitForExit(other.process);
    });
    const refused = await failureOf(() =>
      startEventStoreServer({ port: 0, dataDirectory: directory, lockWaitMs: 200 }),
    );
    expect(refused).toBeInstanceOf(DataDirectoryLockedError);
    expect((refused as DataDirectoryLockedError).holderPid).toBe(other.process.pid);
  });

  it('takes over the lock of a server that was killed', async () => {
    const directory = await freshDirectory();
    const killed = await spawnServer(directory);
    await appendOne(killed.connectionString, 'lock-b');
    killed.process.kill('SIGKILL');
    await waitForExit(killed.process);
    const lock = JSON.parse(await readFile(join(directory, lockFileName), 'utf8')) as {
      pid: number;
    };
    expect(lock.pid).toBe(killed.process.pid);

    const startedAt = Date.now();
    const next = await startEventStoreServer({ port: 0, dataDirectory: directory });
    cleanups.push(() => next.close());
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await streamLength(next.connectionString, 'lock-b')).toBe(1);
  });

  it('waits for a holder that releases the directory within the wait', async () => {
    const directory = await freshDirectory();
    const held = await lockDataDirectory(directory);
    const waiting = lockDataDirectory(directory, { waitMs: 5_000, pollMs: 20 });
    await delay(200);
    await held.release();
    const taken = await waiting;
    await taken.release();
  });

  it('one of two opens racing in one process gets the directory', async () => {
    const directory = await freshDirectory();
    const results = await Promise.allSettled([
      lockDataDirectory(directory, { waitMs: 300, pollMs: 20 }),
      lockDataDirectory(directory, { waitMs: 300, pollMs: 20 }),
    ]);
    const taken = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    expect(taken).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(DataDirectoryLockedError);
    await (taken[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('does not take a reused pid for the holder, nor a holder for a stale lock', async () => {
    const directory = await freshDirectory();
    const path = join(directory, lockFileName);
    // A dead holder.
    await writeFile(path, JSON.stringify({ pid: await deadPid() }));
    await (await lockDataDirectory(directory, { waitMs: 0 })).release();

    // A live pid, but started at another time than the holder recorded: the pid was reused.
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    cleanups.push(async () => {
      sleeper.kill('SIGKILL');
      await waitForExit(sleeper);
    });
    await writeFile(path, JSON.stringify({ pid: sleeper.pid, startedAt: '1' }));
    await (await lockDataDirectory(directory, { waitMs: 0 })).release();

    // The same live pid with its true start time: held.
    const procStat = await readFile(`/proc/${sleeper.pid}/stat`, 'utf8');
    const startedAt = procStat.slice(procStat.lastIndexOf(')') + 2).split(' ')[19];
    await writeFile(path, JSON.stringify({ pid: sleeper.pid, startedAt }));
    const refused = await failureOf(() => lockDataDirectory(directory, { waitMs: 100 }));
    expect(refused).toBeInstanceOf(DataDirectoryLockedError);
    expect((refused as DataDirectoryLockedError).holderPid).toBe(sleeper.pid);
    await rm(path);
  });

  it('takes over a lock file left empty by a crash between its create and its write', async () => {
    const directory = await freshDirectory();
    await writeFile(join(directory, lockFileName), '');
    const startedAt = Date.now();
    const lock = await lockDataDirectory(directory, { waitMs: 10_000, pollMs: 50 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_900);
    await lock.release();
  });
});

describe('the embedded event store of a service that dies', () => {
  it('stops when its parent is killed, releasing the directory, with every acknowledged event kept', async () => {
    const directory = await freshDirectory();
    // A parent process that starts the embedded event store the way `npm start` does.
    const script = `
      import { startEmbeddedEventStore } from './infra/eventstore/embedded-process.ts';
      import { createLogger } from './infra/logging/logger.ts';
      const handle = await startEmbeddedEventStore({
        dataDirectory: ${JSON.stringify(directory)}, port: 0,
        logger: createLogger('silent'), startTimeoutMs: 30_000,
      });
      process.stdout.write(JSON.stringify({ pid: handle.process.pid, url: handle.connectionString }) + '\\n');
      setInterval(() => {}, 60_000);
    `;
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: repositoryRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(async () => {
      parent.kill('SIGKILL');
      await waitForExit(parent);
    });
    const started = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
      let output = '';
      parent.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
        if (line !== undefined) resolve(JSON.parse(line) as { pid: number; url: string });
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited with ${code}`)));
    });
    cleanups.push(async () => {
      if (processRunning(started.pid)) process.kill(started.pid, 'SIGKILL');
    });
    await appendOne(started.url, 'lock-c');
    expect(await exists(join(directory, lockFileName))).toBe(true);

    parent.kill('SIGKILL');
    await waitForExit(parent);
    const deadline = Date.now() + 15_000;
    while (processRunning(started.pid) && Date.now() < deadline) await delay(50);
    expect(processRunning(started.pid)).toBe(false);
    // It stopped cleanly (the lock is released on close), not by a kill.
    expect(await exists(join(directory, lockFileName))).toBe(false);

    const next = await startEventStoreServer({ port: 0, dataDirectory: directory, lockWaitMs: 0 });
    cleanups.push(() => next.close());
    expect(await streamLength(next.connectionString, 'lock-c')).toBe(1);
  });
});
