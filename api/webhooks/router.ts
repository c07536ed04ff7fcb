import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { assignRequestId } from '../app.ts';
import { bodyLimit } from '../body-limit.ts';
import { TokenBuckets } from '../rate-limit.ts';
import { WebhookIntake, type IntakeOptions, type IntakeResponse } from './intake.ts';
import type { IntakeGauge } from '../../infra/webhooks/intake-gauge.ts';
import { readRawBody } from './raw-body.ts';

export interface WebhookRouterOptions extends IntakeOptions {
  /** Largest body accepted: refused with 413 by its Content-Length, or once read past it. */
  bodyLimitBytes?: number;
  /** Token bucket per provider; absent or 0 per second = not limited here. */
  rateLimit?: { ratePerSecond: number; burst: number };
  /** Counts requests in progress, for the processor to give way to (see IntakeGauge). */
  gauge?: IntakeGauge;
}

const defaultBodyLimitBytes = 256 * 1024;

function singleHeader(value: string | string[] | undefined): string | undefined {
  // Two signature headers are ambiguous; refusing them is safer than picking one.
  return Array.isArray(value) ? undefined : value;
}

function send(response: Response, { status, body }: IntakeResponse): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

/**
 * `POST /webhooks/:provider` (mount at `/webhooks`, with `routersWithOwnLog`). The body is read
 * raw, because the signature covers the exact bytes. In order: Content-Length limit (413, or 411
 * without a length), rate limit per provider (429), provider known and configured (404), then
 * the body and the intake. Every answer is logged once: accepted ones at debug (the inbox stream
 * records each of them), refusals at warn, failures to store at error.
 */
export function createWebhookRouter(options: WebhookRouterOptions): Router {
  const intake = new WebhookIntake(options);
  const bytesMax = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const { logger } = options;
  const router = express.Router();
  const buckets =
    options.rateLimit !== undefined && options.rateLimit.ratePerSecond > 0
      ? new TokenBuckets({
          ratePerSecond: options.rateLimit.ratePerSecond,
          burst: Math.max(1, options.rateLimit.burst),
          keysMax: 1_000,
        })
      : undefined;
  const answer = (response: Response, result: IntakeResponse) => {
    response.locals.webhookAnswer = result.body;
    send(response, result);
  };
  const logAnswer = (request: Request, response: Response) => {
    const line = {
      requestId: request.id,
      provider: request.params.provider,
      status: response.statusCode,
      ...(response.locals.webhookAnswer as Record<string, unknown> | undefined),
    };
    if (response.statusCode < 300) logger.debug(line, 'webhook accepted');
    else if (response.statusCode < 500) logger.warn(line, 'webhook refused');
    else logger.error(line, 'webhook not stored');
  };
  const identify: RequestHandler = (request, response, next) => {
    request.id = assignRequestId(request, response);
    options.gauge?.enter();
    // 'close' follows 'finish', and also comes when the client went away without an answer.
    response.once('close', () => options.gauge?.leave());
    // Also covers the answers of the body limit below, which writes its own.
    response.once('finish', () => logAnswer(request, response));
    next();
  };
  const limitRate: RequestHandler = (request, response, next) => {
    const waitMs = buckets?.take(`provider:${String(request.params.provider)}`) ?? 0;
    if (waitMs === 0) return next();
    request.resume();
    response.setHeader('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
    answer(response, {
      status: 429,
      body: { error: 'RATE_LIMITED', message: 'too many requests; retry later' },
    });
  };
  router.post(
    '/:provider',
    identify,
    bodyLimit(bytesMax),
    limitRate,
    async (request: Request, response: Response) => {
      const provider = intake.provider(String(request.params.provider));
      if (provider === undefined) {
        request.resume();
        answer(response, {
          status: 404,
          body: { error: 'UNKNOWN_PROVIDER', message: 'no such webhook provider' },
        });
        return;
      }
      const raw = await readRawBody(request, bytesMax);
      if (!raw.ok) {
        // Read no further: the rest of an oversize body is not wanted.
        response.setHeader('connection', 'close');
        response.on('finish', () => request.socket.destroy());
        answer(response, {
          status: raw.status,
          body: { error: raw.error, message: raw.message },
        });
        return;
      }
      const result = await intake.receive({
        provider,
        signature: singleHeader(request.headers[intake.signatureHeader(provider)]),
        rawBody: raw.body,
        requestId: typeof request.id === 'string' ? request.id : undefined,
      });
      answer(response, result);
    },
  );
  return router;
}
