import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { createApp, requestListener } from '../../api/app.ts';
import type { Config } from '../config/env.ts';
import { EventStore } from '../eventstore/event-store.ts';
import { startEmbeddedEventStore } from '../eventstore/embedded-process.ts';
import type { Logger } from '../logging/logger.ts';
import { createMetricsRegistry } from '../metrics/registry.ts';
import { startEmbeddedPostgres } from '../postgres/embedded.ts';
import { migrateUp } from '../postgres/migrate.ts';
import { createPool, type Pool } from '../postgres/pool.ts';
import { startProjections, type RunningProjections } from '../../projections/start.ts';
import { startExpiryScheduler } from '../write/expiry-scheduler.ts';
import { PaymentService } from '../write/payment-service.ts';
import { createWebhookHandler } from '../../api/webhooks/handler.ts';
import { IntakeThreads } from '../../api/webhooks/intake-threads.ts';
import { createWebhookOperations, startWebhookProcessor } from '../webhooks/index.ts';
import { IntakeGauge } from '../webhooks/intake-gauge.ts';
import { ForegroundFirst } from './background-gate.ts';
import { lockDataDirForEmbeddedStores } from './data-dir-lock.ts';
import { removeServiceEndpoints, writeServiceEndpoints } from './service-endpoints.ts';
import { withDevelopmentSimSecret } from '../webhooks/development-secret.ts';
import { apiKeyBucket, rateLimit } from '../../api/rate-limit.ts';
import { bodyLimit } from '../../api/body-limit.ts';
import { loadApiKeys } from '../../api/auth/index.ts';
import { createGraphqlRouter } from '../../api/graphql/index.ts';
import { ReconciliationService } from '../reconciliation/service.ts';

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly databaseUrl: string;
  readonly eventStoreConnectionString: string;
  readonly pool: Pool;
  readonly eventStore: EventStore;
  readonly paymentService: PaymentService;
  readonly projections: RunningProjections;
  /** Set only on the start that created the development API key: shown once, never logged. */
  readonly firstRunMessage?: (serviceUrl: string) => string;
  stop(): Promise<void>;
}

/** Callbacks in progress at the intake beyond which it counts as queueing. */
const intakeQueueingAt = 16;

type Stopper = { name: string; stop: () => Promise<void> };

/** Stops what was started, newest first; one failure does not keep the rest running. */
async function stopAll(stoppers: Stopper[], logger: Logger): Promise<void> {
  for (const stopper of stoppers.reverse()) {
    try {
      await stopper.stop();
      logger.debug({ component: stopper.name }, 'stopped');
    } catch (error) {
      logger.error({ err: error, component: stopper.name }, 'failed to stop cleanly');
    }
  }
}

async function startPostgres(config: Config, logger: Logger, stoppers: Stopper[]): Promise<string> {
  if (config.DATABASE_URL) return config.DATABASE_URL;
  const embedded = await startEmbeddedPostgres({
    dataDirectory: join(resolve(config.DATA_DIR), 'postgres'),
    port: 0,
    logger: logger.child({ component: 'postgres' }),
    restartOnExit: true,
  });
  stoppers.push({ name: 'embedded-postgres', stop: embedded.stop });
  logger.info({ port: embedded.port }, 'embedded PostgreSQL started');
  return embedded.connectionString;
}

async function startEventStore(
  config: Config,
  logger: Logger,
  stoppers: Stopper[],
): Promise<string> {
  if (config.ESDB_CONNECTION_STRING) return config.ESDB_CONNECTION_STRING;
  const embedded = await startEmbeddedEventStore({
    dataDirectory: join(resolve(config.DATA_DIR), 'esdb'),
    port: 0,
    logger,
    startTimeoutMs: 60_000,
    restartOnExit: true,
  });
  stoppers.push({ name: 'embedded-eventstore', stop: embedded.stop });
  return embedded.connectionString;
}

/** A start refused for a reason the operator fixes (a port in use): its message says it all. */
export class StartRefusedError extends Error {
  override name = 'StartRefusedError';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        const why = error.code === 'EADDRINUSE' ? 'is in use' : 'may not be used by this user';
        reject(
          new StartRefusedError(
            `PORT ${port} on ${host} ${why}: set PORT to a free port (0 picks one)`,
          ),
        );
      } else reject(error);
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolveListen(address && typeof address === 'object' ? address.port : port);
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolveClose) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolveClose();
    });
    server.closeIdleConnections();
  });
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const stoppers: Stopper[] = [];
  try {
    const lock = await lockDataDirForEmbeddedStores(config);
    if (lock) stoppers.push({ name: 'data-dir-lock', stop: () => lock.release() });
    const [databaseUrl, eventStoreConnectionString] = await Promise.all([
      startPostgres(config, logger, stoppers),
      startEventStore(config, logger, stoppers),
    ]);
    await migrateUp(databaseUrl, logger);
    const pool = createPool({
      connectionString: databaseUrl,
      maxConnections: config.DATABASE_POOL_SIZE,
      applicationName: 'payment-ledger',
    });
    stoppers.push({ name: 'postgres-pool', stop: () => pool.end() });
    const eventStore = EventStore.connect(eventStoreConnectionString);
    stoppers.push({ name: 'eventstore-client', stop: () => eventStore.close() });
    const metrics = createMetricsRegistry();
    const paymentService = new PaymentService(eventStore);
    // Acknowledging providers' callbacks is latency-bound; catching up the read models and
    // processing callbacks is not. While callbacks queue at the intake, the projections and the
    // processor give way (slowed, never stopped; see ForegroundFirst).
    const intakeGauge = new IntakeGauge();
    const background = new ForegroundFirst({
      pressed: () => intakeGauge.inFlight > intakeQueueingAt,
    });
    const projections = startProjections({
      pool,
      eventStore,
      logger,
      registry: metrics,
      gate: background,
    });
    stoppers.push({ name: 'projections', stop: () => projections.stop() });
    const expiry = startExpiryScheduler({
      pool,
      paymentService,
      logger: logger.child({ component: 'expiry' }),
      intervalMs: 5_000,
      batchSizeMax: 500,
    });
    stoppers.push({ name: 'expiry-scheduler', stop: () => expiry.stop() });
    const webhookProcessor = startWebhookProcessor({
      eventStore,
      paymentService,
      gate: background,
      logger: logger.child({ component: 'webhooks' }),
      registry: metrics,
    });
    stoppers.push({ name: 'webhook-processor', stop: () => webhookProcessor.stop() });
    const { apiKeys, firstRunMessage } = await loadApiKeys(
      config.API_KEYS,
      config.DATA_DIR,
      logger,
    );
    const readPool = config.READ_DATABASE_URL
      ? createPool({
          connectionString: config.READ_DATABASE_URL,
          maxConnections: config.DATABASE_POOL_SIZE,
          applicationName: 'payment-ledger-read',
        })
      : pool;
    if (readPool !== pool) stoppers.push({ name: 'read-pool', stop: () => readPool.end() });
    const graphqlRouter = createGraphqlRouter({
      logger: logger.child({ component: 'graphql' }),
      pool: readPool,
      writePool: pool,
      paymentService,
      eventStore,
      metrics,
      apiKeys,
      projections,
      introspection: config.GRAPHQL_INTROSPECTION,
      webhooks: createWebhookOperations({ eventStore, pool }),
      reconciliation: new ReconciliationService({
        store: eventStore,
        pool: readPool,
        payments: paymentService,
      }),
    });
    const apiRateLimit = rateLimit({
      ratePerSecond: config.RATE_LIMIT_RPS,
      burst: config.RATE_LIMIT_BURST,
      keyOf: apiKeyBucket,
    });
    const app = createApp({
      logger,
      metrics,
      dependencies: [
        { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
        { name: 'eventstore', check: () => eventStore.ping() },
      ],
      routers: [
        { path: '/graphql', router: bodyLimit(1024 * 1024) },
        { path: '/graphql', router: apiRateLimit },
        { path: '/graphql', router: graphqlRouter },
      ],
    });
    const webhookSecrets = await withDevelopmentSimSecret(config.webhookSecrets, {
      development: config.API_KEYS === undefined || config.API_KEYS.trim() === '',
      dataDirectory: config.DATA_DIR,
      logger,
    });
    const intakeThreads =
      config.WEBHOOK_INTAKE_THREADS > 0
        ? new IntakeThreads({
            threads: config.WEBHOOK_INTAKE_THREADS,
            eventStoreConnectionString,
            secrets: webhookSecrets,
            logger: logger.child({ component: 'webhook-intake' }),
            logLevel: config.LOG_LEVEL,
          })
        : undefined;
    if (intakeThreads)
      stoppers.push({ name: 'webhook-intake-threads', stop: () => intakeThreads.close() });
    const webhooks = createWebhookHandler({
      ...(intakeThreads ? { receiver: intakeThreads } : {}),
      eventStore,
      secrets: webhookSecrets,
      logger: logger.child({ component: 'webhook-intake' }),
      registry: metrics,
      bodyLimitBytes: 256 * 1024,
      rateLimit: {
        ratePerSecond: config.WEBHOOK_RATE_LIMIT_RPS,
        burst: config.WEBHOOK_RATE_LIMIT_BURST,
      },
      gauge: intakeGauge,
    });
    const httpServer = createServer(requestListener(app, [webhooks]));
    const port = await listen(httpServer, config.PORT, config.HOST);
    stoppers.push({ name: 'http', stop: () => closeServer(httpServer, 10_000) });
    const url = `http://127.0.0.1:${port}`;
    await writeServiceEndpoints(config.DATA_DIR, {
      url,
      ...(config.DATABASE_URL ? {} : { databaseUrl }),
      ...(config.ESDB_CONNECTION_STRING ? {} : { eventStoreConnectionString }),
    });
    stoppers.push({ name: 'endpoints', stop: () => removeServiceEndpoints(config.DATA_DIR) });
    return {
      url,
      port,
      databaseUrl,
      eventStoreConnectionString,
      pool,
      eventStore,
      paymentService,
      projections,
      ...(firstRunMessage ? { firstRunMessage } : {}),
      stop: () => stopAll(stoppers, logger),
    };
  } catch (error) {
    await stopAll(stoppers, logger);
    throw error;
  }
}
