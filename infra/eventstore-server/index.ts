export {
  startEventStoreServer,
  type EventStoreServerOptions,
  type RunningEventStoreServer,
  type TlsOptions,
} from './server.ts';
export { DataDirectoryLockedError } from './storage/directory-lock.ts';
