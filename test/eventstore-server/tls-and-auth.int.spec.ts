import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  AccessDeniedError,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  jsonEvent,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEventStoreServer,
  type RunningEventStoreServer,
} from '../../infra/eventstore-server/index.ts';
import { collect, failureOf, temporaryDirectory, uniqueStream } from './support/server-harness.ts';

// A test-only CA and a server certificate for localhost / 127.0.0.1 signed by it (100 years).
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/tls/${name}`, import.meta.url));
const certificateAuthorityFile = fixture('ca.crt');

let server: RunningEventStoreServer;
let dataDirectory: string;
const clients: EventStoreDBClient[] = [];

function connect(userInfo: string, extra = ''): EventStoreDBClient {
  const credentials = userInfo === '' ? '' : `${userInfo}@`;
  const client = EventStoreDBClient.connectionString(
    `esdb://${credentials}127.0.0.1:${server.port}?tls=true` +
      `&tlsCAFile=${encodeURIComponent(certificateAuthorityFile)}${extra}`,
  );
  clients.push(client);
  return client;
}

function event() {
  return jsonEvent({ id: randomUUID(), type: 'Secured', data: { at: Date.now() } });
}

beforeAll(async () => {
  dataDirectory = await temporaryDirectory('esdb-tls-');
  server = await startEventStoreServer({
    port: 0,
    dataDirectory,
    tls: {
      certificateFile: fixture('server.crt'),
      privateKeyFile: fixture('server.key'),
      certificateAuthorityFile,
      users: { admin: 'changeit', auditor: 's3cret-Passw0rd' },
    },
  });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server.close();
  await rm(dataDirectory, { recursive: true, force: true });
});

describe('a secured node: TLS with a given certificate, basic auth', () => {
  it('advertises a TLS connection string that trusts the given CA', () => {
    expect(server.connectionString).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=true&tlsCAFile=/);
  });

  it('serves appends, stream reads, $all reads and subscriptions to a known user', async () => {
    const client = connect('admin:changeit');
    const stream = uniqueStream();
    const appended = await client.appendToStream(stream, [event(), event()]);
    expect(appended.nextExpectedRevision).toBe(1n);
    const read = await collect(client.readStream(stream, { fromRevision: START }));
    expect(read.map((resolved) => resolved.event?.revision)).toEqual([0n, 1n]);
    const all = await collect(
      client.readAll({ fromPosition: END, direction: 'backwards', maxCount: 5 }),
    );
    expect(all.some((resolved) => resolved.event?.streamId === stream)).toBe(true);
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    const seen: bigint[] = [];
    for await (const resolved of subscription) {
      if (resolved.event) seen.push(resolved.event.revision);
      if (seen.length === 2) break;
    }
    await subscription.unsubscribe();
    expect(seen).toEqual([0n, 1n]);
  });

  it('takes per-call credentials over the connection-string ones (client-streaming Append)', async () => {
    const client = connect('');
    const stream = uniqueStream();
    const result = await client.appendToStream(stream, [event()], {
      credentials: { username: 'auditor', password: 's3cret-Passw0rd' },
    });
    expect(result.nextExpectedRevision).toBe(0n);
  });

  it('refuses a wrong password and an unknown user, and stores nothing', async () => {
    const stream = uniqueStream();
    for (const userInfo of ['admin:wrong', 'AzureDiamond:hunter2']) {
      const client = connect(userInfo);
      expect(await failureOf(() => client.appendToStream(stream, [event()]))).toBeInstanceOf(
        AccessDeniedError,
      );
      expect(
        await failureOf(() => collect(client.readStream(stream, { direction: FORWARDS }))),
      ).toBeInstanceOf(AccessDeniedError);
    }
    const admin = connect('admin:changeit');
    const error = await failureOf(() => collect(admin.readStream(stream)));
    expect(error?.constructor.name).toBe('StreamNotFoundError');
  });

  it('refuses anonymous calls as access denied', async () => {
    const client = connect('');
    expect(await failureOf(() => client.appendToStream(uniqueStream(), [event()]))).toBeInstanceOf(
      AccessDeniedError,
    );
    expect(await failureOf(() => collect(client.readAll({ maxCount: 1 })))).toBeInstanceOf(
      AccessDeniedError,
    );
  });

  it('is not reachable in plain text', async () => {
    const client = EventStoreDBClient.connectionString(
      `esdb://admin:changeit@127.0.0.1:${server.port}?tls=false`,
    );
    const error = await failureOf(() =>
      client.appendToStream(uniqueStream(), [event()], { deadline: 3_000 }),
    );
    await client.dispose();
    expect(error).toBeInstanceOf(Error);
  });
});
