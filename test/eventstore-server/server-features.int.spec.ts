import { createRequire } from 'node:module';
import { persistentSubscriptionToAllSettingsFromDefaults } from '@eventstore/db-client';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as SharedMessages from '@eventstore/db-client/generated/shared_pb.js';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb.js';
import { failureOf, startHarness, type Harness } from './support/server-harness.ts';

// The official client package's own generated stubs, called over the wire like the client does.
const requireGenerated = createRequire(
  createRequire(import.meta.url).resolve('@eventstore/db-client/generated/shared_pb.js'),
);
const { ServerFeaturesClient } = requireGenerated(
  './serverfeatures_grpc_pb.js',
) as typeof ServerFeaturesGrpc;
const { Empty } = requireGenerated('./shared_pb.js') as typeof SharedMessages;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness.stop());

function supportedMethods(): Promise<SupportedMethods> {
  const address = new URL(harness.server.connectionString.replace('esdb://', 'http://')).host;
  const client = new ServerFeaturesClient(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.getSupportedMethods(new Empty(), (error, response) => {
      client.close();
      if (error || !response) reject(error ?? new Error('no response'));
      else resolve(response);
    });
  });
}

describe('ServerFeatures.GetSupportedMethods', () => {
  it('advertises a 24.10-compatible version and exactly the implemented methods', async () => {
    const response = await supportedMethods();
    expect(response.getEventStoreServerVersion()).toMatch(/^24\.10\.\d+$/);
    const methods = response
      .getMethodsList()
      .map((method) => ({
        name: `${method.getServiceName()}/${method.getMethodName()}`,
        features: method.getFeaturesList(),
      }))
      .sort((left, right) => left.name.localeCompare(right.name));
    expect(methods).toEqual([
      { name: 'event_store.client.gossip.gossip/read', features: [] },
      {
        name: 'event_store.client.server_features.serverfeatures/getsupportedmethods',
        features: [],
      },
      { name: 'event_store.client.streams.streams/append', features: [] },
      { name: 'event_store.client.streams.streams/batchappend', features: ['deadline_duration'] },
      { name: 'event_store.client.streams.streams/delete', features: [] },
      { name: 'event_store.client.streams.streams/read', features: ['position', 'events'] },
      { name: 'event_store.client.streams.streams/tombstone', features: [] },
    ]);
  });

  it('lets the client refuse what is not implemented instead of calling it', async () => {
    const error = await failureOf(() =>
      harness.client.createPersistentSubscriptionToAll(
        'group',
        persistentSubscriptionToAllSettingsFromDefaults(),
      ),
    );
    expect(error.constructor.name).toBe('UnsupportedError');
  });
});
