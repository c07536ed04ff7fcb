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
}

/** A request handled ahead of express (see `requestListener`). */
export interface DirectHandler {
  handles(request: IncomingMessage): boolean;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/**
 * The server's request listener: the direct handlers first (provider callbacks, which log their
 * own answers and assign request ids with `assignRequestId`: express's routing and pino-http's
 * per-request child logger were most of the cost of acknowledging one), then the express app.
 */
export function requestListener(
  app: Express,
  direct: readonly DirectHandler[],
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    for (const handler of direct) {
      if (handler.handles(request)) {
        handler.handle(request, response);
        return;
      }
    }
    app(request, response);
  };
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
