import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { serverFeatures, type SupportedMethods } from './protocol.ts';

export const advertisedServerVersion = '24.10.0';

/** Exactly what this server implements, lower-cased as ESDB sends it. */
const implementedMethods: readonly { service: string; method: string; features: string[] }[] = [
  {
    service: 'event_store.client.streams.streams',
    method: 'read',
    features: ['position', 'events'],
  },
  { service: 'event_store.client.streams.streams', method: 'append', features: [] },
  {
    service: 'event_store.client.streams.streams',
    method: 'batchappend',
    features: ['deadline_duration'],
  },
  { service: 'event_store.client.streams.streams', method: 'delete', features: [] },
  { service: 'event_store.client.streams.streams', method: 'tombstone', features: [] },
  {
    service: 'event_store.client.server_features.serverfeatures',
    method: 'getsupportedmethods',
    features: [],
  },
  { service: 'event_store.client.gossip.gossip', method: 'read', features: [] },
];

export function supportedMethodsHandler() {
  return (
    _call: ServerUnaryCall<unknown, SupportedMethods>,
    callback: sendUnaryData<SupportedMethods>,
  ): void => {
    const methods = implementedMethods.map((entry) =>
      new serverFeatures.SupportedMethod()
        .setServiceName(entry.service)
        .setMethodName(entry.method)
        .setFeaturesList(entry.features),
    );
    callback(
      null,
      new serverFeatures.SupportedMethods()
        .setMethodsList(methods)
        .setEventStoreServerVersion(advertisedServerVersion),
    );
  };
}
