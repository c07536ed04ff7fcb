import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, waitForExit } from './support/child-server.ts';
import { collect, temporaryDirectory } from './support/server-harness.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The largest file the server may write, in KiB (`ulimit -f`): a disk that fills up. */
const fileSizeLimitKiB = 256;

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0))
    await rm(directory, { recursive: true, force: true });
});

/** `scripts/esdb.ts` with a file size limit: writes past it fail with EFBIG, as on a full disk. */
function spawnLimitedServer(dataDirectory: string) {
  const child = spawn(
    'bash',
    [
      '-c',
      `ulimit -f ${fileSizeLimitKiB} && exec "$0" "$@"`,
      process.execPath,
      '--import',
      'tsx',
      'scripts/esdb.ts',
      '--port',
      '0',
      '--db',
      dataDirectory,
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /esdb listening on (\S+) /.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${errors}`)));
  });
  return { child, ready, errors: () => errors };
}

describe('a write to the log that fails (disk full)', () => {
  it('refuses the append, stops with exit code 1, and after a restart every acknowledged event is there', async () => {
    const directory = await temporaryDirectory('esdb-log-failure-');
    directories.push(directory);
    const limited = spawnLimitedServer(directory);
    const client = EventStoreDBClient.connectionString(await limited.ready);
    const payload = 'x'.repeat(2_048);
    let acknowledged = 0;
    let failure: unknown;
    try {
      for (let index = 0; index < 10_000; index += 1) {
        await client.appendToStream(
          'filling',
          jsonEvent({ type: 'Filled', data: { index, payload } }),
        );
        acknowledged += 1;
      }
    } catch (error) {
      failure = error;
    } finally {
      await client.dispose();
    }
    expect(failure).toBeDefined();
    expect(acknowledged).toBeGreaterThan(10);
    expect(await waitForExit(limited.child)).toBe(1);
    expect(limited.errors()).toContain('event log write failed');

    // Room again: the log is recovered up to its last whole append.
    const restarted = await spawnServer(directory);
    const again = EventStoreDBClient.connectionString(restarted.connectionString);
    try {
      const events = await collect(again.readStream('filling'));
      const indexes = events.map((event) => (event.event?.data as { index: number }).index);
      // Every acknowledged one, in order, once; at most the one in flight beyond them.
      expect(indexes.slice(0, acknowledged)).toEqual([...Array(acknowledged).keys()]);
      expect(indexes.length - acknowledged).toBeLessThanOrEqual(1);
      await again.appendToStream('filling', jsonEvent({ type: 'Filled', data: { index: -1 } }));
      expect(await collect(again.readStream('filling'))).toHaveLength(indexes.length + 1);
    } finally {
      await again.dispose();
      restarted.process.kill('SIGTERM');
      await waitForExit(restarted.process);
    }
  });
});
