import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readServiceEndpoints,
  removeServiceEndpoints,
  serviceEndpointsFileName,
  writeServiceEndpoints,
} from '../../infra/runtime/service-endpoints.ts';

let directory: string;
const endpoints = {
  url: 'http://127.0.0.1:4000',
  databaseUrl: 'postgres://ledger:ledger@127.0.0.1:5999/postgres',
  eventStoreConnectionString: 'esdb://127.0.0.1:2999?tls=false',
};

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ledger-endpoints-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the endpoints file of a running service', () => {
  it('is read back while its process lives, and removed by it on stop', async () => {
    await writeServiceEndpoints(directory, endpoints);
    expect(await readServiceEndpoints(directory)).toMatchObject({ pid: process.pid, ...endpoints });
    await removeServiceEndpoints(directory);
    expect(await readServiceEndpoints(directory)).toBeUndefined();
  });

  it('is ignored when the process that wrote it is gone (a kill -9 leaves it behind)', async () => {
    const gone = { pid: 2 ** 22 + 17, startedAt: new Date().toISOString(), ...endpoints };
    await writeFile(join(directory, serviceEndpointsFileName), JSON.stringify(gone));
    expect(await readServiceEndpoints(directory)).toBeUndefined();
  });

  it('is left alone by a process that did not write it', async () => {
    const other = { pid: 1, startedAt: new Date().toISOString(), ...endpoints };
    await writeFile(join(directory, serviceEndpointsFileName), JSON.stringify(other));
    await removeServiceEndpoints(directory);
    expect(await readServiceEndpoints(directory)).toMatchObject({ pid: 1 });
  });
});
