import type { WebhookOperations } from '../../infra/webhooks/operator.ts';
import type { ReconciliationService } from '../../infra/reconciliation/service.ts';
import {
  createReconciliationResolvers,
  reconciliationTypeDefs,
} from '../graphql-reconciliation/index.ts';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { createSchema, createYoga } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import type { EventStore } from '../../infra/eventstore/event-store.ts';
import type { Logger } from '../../infra/logging/logger.ts';
import type { PaymentService } from '../../infra/write/payment-service.ts';
import type { ApiKeyStore } from '../auth/api-key-store.ts';
import { authenticateRequest } from '../auth/authenticate.ts';
import type { Principal } from '../auth/roles.ts';
import { waitForPosition } from '../../projections/consistency/wait-for-position.ts';
import { allProjections } from '../../projections/registry.ts';
import { readProjectionStatuses } from '../../projections/status/status.ts';
import { retryProjection, skipPoisonEvent } from '../../projections/runner/poison.ts';
import type { Pool } from '../../infra/postgres/pool.ts';
import { LruCache } from '../../infra/runtime/lru-cache.ts';
import { consistencyTimeoutDefaultMs, parseConsistencyToken } from './consistency.ts';
import {
  createContext,
  type GraphqlContext,
  type GraphqlServices,
  type ProjectionsApi,
} from './context.ts';
import { currentRequest, maskError, sendGraphqlError } from './edge.ts';
import { errorCodesPlugin } from './error-codes.ts';
import { BadUserInputError } from './errors.ts';
import { defaultQueryLimits, queryLimitsPlugin, type QueryLimits } from './limits/plugin.ts';
import { createGraphqlMetrics, metricsPlugin, type GraphqlMetrics } from './metrics.ts';
import { resolvers } from './resolvers/index.ts';
import { typeDefs } from './schema/index.ts';

export interface GraphqlRouterDependencies {
  logger: Logger;
  /** The read pool (READ_DATABASE_URL when set): every query reads through it. */
  pool: Pool;
  /** Unused by queries; accepted so that the composition root can pass both pools. */
  writePool?: Pool;
  paymentService: PaymentService;
  eventStore: EventStore;
  metrics: Registry;
  apiKeys: ApiKeyStore;
  projections?: ProjectionsApi;
  introspection: boolean;
  /** Default true: GraphiQL for a browser's GET. */
  graphiql?: boolean;
  /** How long a request with X-Consistency-Token may wait for the projections. Default 2 s. */
  consistencyTimeoutMs?: number;
  limits?: Partial<Omit<QueryLimits, 'introspection'>>;
  /** Callback operations for role operate (list, replay, resolve). */
  webhooks?: WebhookOperations;
  /** Settlement-report reconciliation (runs, exceptions, resolutions). */
  reconciliation?: ReconciliationService;
}

type ServerContext = { req: Request; res: Response };

/** The path yoga answers on: the router is mounted there. */
const graphqlPath = '/graphql';
const requestBodySizeMax = 256 * 1024;
/**
 * Parsed (and validated) documents kept for reuse. Clients that send fixed documents with
 * variables need a few dozen; yoga's default of 1,024 for an hour mostly held documents with
 * literal values inlined, each seen once: about 17 KiB each, 15 to 18 MiB of RSS under the
 * bench's GraphQL load.
 */
const documentCacheEntriesMax = 128;

interface Identified {
  principal: Principal;
  requestId: string;
  consistencyToken: bigint | undefined;
}

const identities = new WeakMap<Request, Identified>();

function requestIdOf(request: Request): string {
  // pino-http (api/app.ts) assigns it and echoes it in x-request-id.
  const id = (request as Request & { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : 'unknown';
}

function isJsonContentType(request: Request): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}

/**
 * CSRF: browsers send cross-site form posts without preflight only with "simple" content
 * types; requiring JSON (and a bearer header, which no browser adds on its own) closes that.
 */
function guardRequest(apiKeys: ApiKeyStore, metrics: GraphqlMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const browserPage =
      request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (browserPage) return next(); // GraphiQL's page: renders HTML, never executes anything.
    if (request.method === 'POST' && !isJsonContentType(request)) {
      return sendGraphqlError(
        response,
        415,
        'BAD_REQUEST',
        'send GraphQL requests as application/json',
      );
    }
    const outcome = authenticateRequest(apiKeys, request.headers.authorization);
    if (!outcome.ok) {
      metrics.authenticationFailures.inc({ reason: outcome.reason });
      const message =
        outcome.reason === 'missing'
          ? 'send an API key: Authorization: Bearer <key>'
          : 'the API key is not valid';
      return sendGraphqlError(response, 401, 'UNAUTHENTICATED', message);
    }
    let consistencyToken: bigint | undefined;
    try {
      consistencyToken = parseConsistencyToken(request.get('x-consistency-token'));
    } catch (error) {
      if (!(error instanceof BadUserInputError)) throw error;
      return sendGraphqlError(response, 400, 'BAD_USER_INPUT', error.message);
    }
    identities.set(request, {
      principal: outcome.principal,
      requestId: requestIdOf(request),
      consistencyToken,
    });
    next();
  };
}

const sampleQuery = /* GraphQL */ `
  # Set the header {"Authorization": "Bearer <your API key>"} below.
  {
    me {
      keyId
      tenant
      roles
    }
    payments(first: 5) {
      edges {
        node {
          id
          status
          amount {
            amount
            currency
            formatted
          }
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

function yogaLogger(logger: Logger) {
  const child = logger.child({ component: 'graphql' });
  return {
    debug: (...parts: unknown[]) => child.debug({ parts }, 'yoga'),
    info: (...parts: unknown[]) => child.info({ parts }, 'yoga'),
    warn: (...parts: unknown[]) => child.warn({ parts }, 'yoga'),
    error: (...parts: unknown[]) => child.error({ parts }, 'yoga'),
  };
}

/** Without the running projections at hand: the same answers and actions on the shared tables. */
function projectionsFromTables(pool: Pool, eventStore: EventStore): GraphqlServices['projections'] {
  return {
    statuses: () => readProjectionStatuses({ pool, eventStore, projections: allProjections }),
    skipPoisonEvent: (name, position, actor) => skipPoisonEvent(pool, name, position, actor),
    retryProjection: (name, actor) => retryProjection(pool, name, actor),
  };
}

function createServices(deps: GraphqlRouterDependencies): GraphqlServices {
  return {
    logger: deps.logger,
    readPool: deps.pool,
    paymentService: deps.paymentService,
    eventStore: deps.eventStore,
    projections: deps.projections ?? projectionsFromTables(deps.pool, deps.eventStore),
    waitForPosition: deps.projections
      ? (position, timeoutMs) => deps.projections!.waitForPosition(position, timeoutMs)
      : (position, timeoutMs) => waitForPosition(deps.pool, position, timeoutMs),
    consistencyTimeoutMs: deps.consistencyTimeoutMs ?? consistencyTimeoutDefaultMs,
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
  };
}

/**
 * The GraphQL endpoint as an express router, to mount at /graphql: API-key authentication,
 * then graphql-yoga with masked errors, depth and cost limits, metrics and GraphiQL.
 */
export function createGraphqlRouter(deps: GraphqlRouterDependencies): Router {
  const services = createServices(deps);
  const metrics = createGraphqlMetrics(deps.metrics);
  const limits: QueryLimits = {
    ...defaultQueryLimits,
    ...deps.limits,
    introspection: deps.introspection,
  };
  const yoga = createYoga<ServerContext, GraphqlContext>({
    schema: createSchema<GraphqlContext & ServerContext>(
      deps.reconciliation
        ? {
            typeDefs: [...typeDefs, reconciliationTypeDefs],
            resolvers: [
              resolvers,
              createReconciliationResolvers({ reconciliation: deps.reconciliation }),
            ],
          }
        : { typeDefs, resolvers },
    ),
    graphqlEndpoint: graphqlPath,
    context: ({ req }) => {
      const identity = identities.get(req);
      // guardRequest ran first; reaching here without an identity would be a wiring bug.
      if (!identity) throw new Error('GraphQL request without an authenticated identity');
      return createContext(services, identity);
    },
    maskedErrors: { maskError: (error, message) => maskError(error, message, deps.logger) },
    graphiql:
      deps.graphiql === false
        ? false
        : {
            title: 'Payment ledger',
            defaultQuery: sampleQuery,
            headers: '{"Authorization": "Bearer "}',
          },
    landingPage: false,
    parserAndValidationCache: {
      documentCache: new LruCache(documentCacheEntriesMax),
      errorCache: new LruCache(documentCacheEntriesMax),
    },
    multipart: false,
    batching: false,
    maxRequestBodySize: requestBodySizeMax,
    logging: yogaLogger(deps.logger),
    plugins: [queryLimitsPlugin(limits), metricsPlugin(metrics), errorCodesPlugin()],
  });
  const router = express.Router();
  router.use(guardRequest(deps.apiKeys, metrics));
  router.use((request: Request, response: Response) => {
    const requestId = identities.get(request)?.requestId ?? requestIdOf(request);
    const logger = (request as Request & { log?: Logger }).log ?? deps.logger;
    return currentRequest.run({ requestId, logger }, () => yoga(request, response));
  });
  return router;
}
