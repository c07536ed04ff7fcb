export {
  startEventStoreServer,
  type EventStoreServerOptions,
  type RunningEventStoreServer,
  type TlsOptions,
} from './server.ts';
