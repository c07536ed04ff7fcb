import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Registry } from 'prom-client';
import { createApp } from '../../../api/app.ts';
import { ApiKeyStore, parseApiKeys } from '../../../api/auth/index.ts';
import { createGraphqlRouter, type GraphqlRouterDependencies } from '../../../api/graphql/index.ts';
import { createLogger } from '../../../infra/logging/logger.ts';
import { createPool, type Pool } from '../../../infra/postgres/pool.ts';
import { PaymentService, type Caller } from '../../../infra/write/payment-service.ts';
import { startProjections, type RunningProjections } from '../../../projections/start.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { startTestEventStore, type TestEventStore } from '../../support/event-store.ts';

/** The keys every API test uses: two tenants, a platform key, and one key per single role. */
export const keys = {
  acmeAll: {
    id: 'acme-all',
    key: `acme-all-${randomUUID()}`,
    tenant: 'acme',
    roles: ['read', 'write', 'audit', 'operate'],
  },
  acmeRead: { id: 'acme-read', key: `acme-read-${randomUUID()}`, tenant: 'acme', roles: ['read'] },
  acmeWrite: {
    id: 'acme-write',
    key: `acme-write-${randomUUID()}`,
    tenant: 'acme',
    roles: ['write'],
  },
  globexAll: {
    id: 'globex-all',
    key: `globex-all-${randomUUID()}`,
    tenant: 'globex',
    roles: ['read', 'write', 'audit', 'operate'],
  },
  platform: {
    id: 'platform',
    key: `platform-${randomUUID()}`,
    tenant: '*',
    roles: ['read', 'write', 'audit', 'operate'],
  },
} as const;

export type KeyName = keyof typeof keys;

export interface GraphqlResponse<Data = Record<string, unknown>> {
  status: number;
  body: {
    data?: Data | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  };
  headers: Headers;
}

export interface ApiHarness {
  url: string;
  pool: Pool;
  readPool: Pool;
  paymentService: PaymentService;
  projections: RunningProjections;
  eventStore: TestEventStore;
  /** Queries the read pool has run since the last reset: for the DataLoader checks. */
  readQueries: { count: number; reset(): void };
  graphql<Data = Record<string, unknown>>(
    query: string,
    options?: RequestOptions,
  ): Promise<GraphqlResponse<Data>>;
  caller(tenant: string): Caller;
  /**
   * A second server on the same stores with some dependencies replaced: introspection off, a
   * short consistency time-out, an unreachable event store, a broken read pool.
   */
  variant(
    overrides: Partial<GraphqlRouterDependencies>,
  ): Promise<{ url: string; stop(): Promise<void> }>;
  /** Resolves once every read model has applied the write at `token`. */
  settle(token: string | null | undefined): Promise<void>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  key?: KeyName | null;
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A GraphQL request as any HTTP client sends it: POST, JSON, a bearer key. */
export async function postGraphql<Data>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphqlResponse<Data>> {
  const key = options.key === undefined ? 'acmeAll' : options.key;
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${keys[key].key}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await response.json()) as GraphqlResponse<Data>['body'];
  return { status: response.status, body, headers: response.headers };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : 0);
    });
  });
}

function countQueries(pool: Pool): { count: number; reset(): void } {
  const counter = { count: 0, reset: () => (counter.count = 0) };
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
    counter.count += 1;
    return original(...args);
  }) as Pool['query'];
  return counter;
}

/**
 * The API as the service runs it, in-process: a fresh migrated database, a real embedded
 * event store, the read side's projections, and the GraphQL router inside the express app.
 */
export async function startApiHarness(
  overrides: Partial<
    Pick<GraphqlRouterDependencies, 'introspection' | 'consistencyTimeoutMs' | 'limits'>
  > = {},
): Promise<ApiHarness> {
  const logger = createLogger((process.env.API_TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent');
  const database: TestDatabase = await createTestDatabase();
  const eventStore = await startTestEventStore();
  const pool = createPool({
    connectionString: database.url,
    maxConnections: 10,
    applicationName: 'api-test',
  });
  const readPool = createPool({
    connectionString: database.url,
    maxConnections: 10,
    applicationName: 'api-test-read',
  });
  const readQueries = countQueries(readPool);
  const paymentService = new PaymentService(eventStore.eventStore);
  const projections = startProjections({
    pool,
    eventStore: eventStore.eventStore,
    logger,
    flushIntervalMs: 10,
    lockPollMs: 100,
  });
  const dependencies: GraphqlRouterDependencies = {
    logger,
    pool: readPool,
    writePool: pool,
    paymentService,
    eventStore: eventStore.eventStore,
    metrics: new Registry(),
    apiKeys: new ApiKeyStore(parseApiKeys(JSON.stringify(Object.values(keys)))),
    projections,
    introspection: true,
    ...overrides,
  };
  const serve = async (routerDependencies: GraphqlRouterDependencies) => {
    const router = createGraphqlRouter(routerDependencies);
    const app = createApp({
      logger: routerDependencies.logger,
      metrics: routerDependencies.metrics,
      dependencies: [],
      routers: [{ path: '/graphql', router }],
    });
    const server = createServer(app);
    const url = `http://127.0.0.1:${await listen(server)}`;
    return {
      server,
      url,
      stop: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  };
  const { server, url } = await serve(dependencies);
  return {
    url,
    pool,
    readPool,
    paymentService,
    projections,
    eventStore,
    readQueries,
    graphql: (query, options) => postGraphql(url, query, options),
    caller: (tenant) => ({
      tenantId: tenant,
      actor: 'api-test',
      source: 'api',
      correlationId: randomUUID(),
      causationId: randomUUID(),
    }),
    variant: async (variantOverrides) => {
      const variant = await serve({
        ...dependencies,
        metrics: new Registry(),
        ...variantOverrides,
      });
      return { url: variant.url, stop: variant.stop };
    },
    settle: async (token) => {
      if (token) await projections.waitForPosition(BigInt(token), 20_000);
    },
    async stop() {
      const step = async (name: string, work: () => Promise<unknown>) => {
        const started = Date.now();
        await work();
        if (process.env.API_TEST_LOG_LEVEL) console.log(name, Date.now() - started);
      };
      await step('http', async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });
      await step('projections', () => projections.stop());
      await step('read pool', () => readPool.end());
      await step('pool', () => pool.end());
      // The embedded store can take long to close once subscriptions have seen writes (the
      // read side's specs bound it the same way); the temporary directory goes with the run.
      await step('event store', () =>
        Promise.race([
          eventStore.stop().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 3_000)),
        ]),
      );
      await step('database', () => database.drop());
    },
  };
}
