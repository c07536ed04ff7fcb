import { readFile } from 'node:fs/promises';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EventStore } from './store/event-store.ts';
import { appendHandler } from './grpc/append-handler.ts';
import { defaultUsers, type UserTable } from './grpc/authentication.ts';
import { batchAppendHandler } from './grpc/batch-append-handler.ts';
import { deleteHandler, tombstoneHandler } from './grpc/delete-handlers.ts';
import { gossipHandler } from './grpc/gossip-handler.ts';
import { authenticationGuard, guarded } from './grpc/guarded-handlers.ts';
import { gossipService, serverFeaturesService, streamsService } from './grpc/protocol.ts';
import { readHandler } from './grpc/read-handler.ts';
import { supportedMethodsHandler } from './grpc/server-features-handler.ts';

export interface TlsOptions {
  certificateFile: string;
  privateKeyFile: string;
  /** CA clients should trust; only used to build the connection string. */
  certificateAuthorityFile?: string;
  /** Basic-auth users; defaults to admin/changeit and ops/changeit. */
  users?: UserTable;
}

export interface EventStoreServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  dataDirectory: string;
  tls?: TlsOptions;
  logger?: (line: string) => void;
  /**
   * How long a live process holding the data directory (another server) is waited for before
   * the start fails with `DataDirectoryLockedError`; default 5 s.
   */
  lockWaitMs?: number;
  /**
   * Called once when a write to the log fails (disk full, I/O error): from then on the server
   * refuses every append, and only a restart (which truncates the torn tail) serves again.
   */
  onLogFailure?: (error: Error) => void;
}

export interface RunningEventStoreServer {
  port: number;
  connectionString: string;
  eventCount(): number;
  close(): Promise<void>;
}

/** Events can be ~16 MiB and Append sends one per message. */
const maximumReceiveBytes = 17 * 1024 * 1024 + 64 * 1024;
const shutdownGraceMs = 1_000;

export async function startEventStoreServer(
  options: EventStoreServerOptions,
): Promise<RunningEventStoreServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => undefined);
  const { store, droppedBytes } = await EventStore.open(options.dataDirectory, Date.now, {
    ...(options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs }),
    ...(options.onLogFailure === undefined ? {} : { onLogFailure: options.onLogFailure }),
  });
  if (droppedBytes > 0)
    log(`esdb recovery dropped ${droppedBytes} bytes of torn or corrupt log tail`);
  const server = new Server({ 'grpc.max_receive_message_length': maximumReceiveBytes });
  let boundPort = options.port;
  registerServices(server, store, host, () => boundPort, options.tls);
  try {
    boundPort = await bind(server, `${host}:${options.port}`, await credentialsFor(options.tls));
  } catch (error) {
    await store.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    connectionString: connectionStringFor(host, boundPort, options.tls),
    eventCount: () => store.table.count,
    close: () => (closing ??= shutdown(server, store)),
  };
}

function registerServices(
  server: Server,
  store: EventStore,
  host: string,
  port: () => number,
  tls: TlsOptions | undefined,
): void {
  const guard = tls ? authenticationGuard(tls.users ?? defaultUsers) : undefined;
  const streamsImplementation: UntypedServiceImplementation = {
    read: guarded(readHandler(store, Date.now) as never, guard),
    append: guarded(appendHandler(store) as never, guard),
    batchAppend: guarded(batchAppendHandler(store) as never, guard),
    delete: guarded(deleteHandler(store) as never, guard),
    tombstone: guarded(tombstoneHandler(store) as never, guard),
  };
  server.addService(streamsService, streamsImplementation);
  server.addService(serverFeaturesService, {
    getSupportedMethods: supportedMethodsHandler() as never,
  });
  server.addService(gossipService, { read: gossipHandler(host, port) as never });
}

async function credentialsFor(tls: TlsOptions | undefined): Promise<ServerCredentials> {
  if (!tls) return ServerCredentials.createInsecure();
  const [certificate, privateKey] = await Promise.all([
    readFile(tls.certificateFile),
    readFile(tls.privateKeyFile),
  ]);
  return ServerCredentials.createSsl(
    null,
    [{ cert_chain: certificate, private_key: privateKey }],
    false,
  );
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) =>
      error ? reject(error) : resolve(port),
    );
  });
}

function connectionStringFor(host: string, port: number, tls: TlsOptions | undefined): string {
  if (!tls) return `esdb://${host}:${port}?tls=false`;
  const authority = tls.certificateAuthorityFile
    ? `&tlsCAFile=${encodeURIComponent(tls.certificateAuthorityFile)}`
    : '';
  return `esdb://${host}:${port}?tls=true${authority}`;
}

/** Stops accepting calls, cancels subscriptions after a grace period, then flushes the log. */
async function shutdown(server: Server, store: EventStore): Promise<void> {
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, shutdownGraceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
  await store.close();
}
