import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import type { Logger } from '../infra/logging/logger.ts';
import { healthRouter, type DependencyCheck } from './health.ts';

export interface AppOptions {
  logger: Logger;
  metrics: Registry;
  dependencies: readonly DependencyCheck[];
  /** Routers mounted after the health endpoints, in order (webhooks, GraphQL, ...). */
  routers?: ReadonlyArray<{ path: string; router: Router | RequestHandler }>;
  /**
   * Routers that log their own answers, mounted before the per-request access log: pino-http
   * serialises every request's headers into a child logger, the largest single cost of
   * acknowledging a provider callback. They assign request ids with `assignRequestId`.
   */
  routersWithOwnLog?: ReadonlyArray<{ path: string; router: Router | RequestHandler }>;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a safe token, else a new one; echoed in the answer. */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  for (const { path, router } of options.routersWithOwnLog ?? []) app.use(path, router);
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: assignRequestId,
      autoLogging: {
        ignore: (request) => request.url === '/healthz' || request.url === '/metrics',
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500
          ? 'error'
          : response.statusCode >= 400
            ? 'warn'
            : 'info',
    }),
  );
  app.use(healthRouter(options.dependencies));
  app.get('/metrics', async (_request, response) => {
    response.setHeader('content-type', options.metrics.contentType);
    response.send(await options.metrics.metrics());
  });
  for (const { path, router } of options.routers ?? []) app.use(path, router);
  app.use((_request, response) => {
    response.status(404).json({ error: 'NOT_FOUND', message: 'no such route' });
  });
  return app;
}
