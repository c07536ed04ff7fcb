import type { IncomingMessage, ServerResponse } from 'node:http';
import { assignRequestId } from '../app.ts';
import { declaredLengthRefusal } from '../body-limit.ts';
import { TokenBuckets } from '../rate-limit.ts';
import type { Registry } from 'prom-client';
import {
  WebhookIntake,
  configuredProvider,
  notStored,
  signatureHeaderOf,
  type IntakeOptions,
  type IntakeReceiver,
  type IntakeResponse,
} from './intake.ts';
import type { IntakeGauge } from '../../infra/webhooks/intake-gauge.ts';
import { webhookMetrics } from '../../infra/webhooks/metrics.ts';
import { readRawBody } from './raw-body.ts';

export interface WebhookHandlerOptions extends IntakeOptions {
  /** Where callbacks are verified and stored; default a `WebhookIntake` on this thread. */
  receiver?: IntakeReceiver;
  registry?: Registry;
  /** Largest body accepted: refused with 413 by its Content-Length, or once read past it. */
  bodyLimitBytes?: number;
  /** Token bucket per provider; absent or 0 per second = not limited here. */
  rateLimit?: { ratePerSecond: number; burst: number };
  /** Counts requests in progress, for the processor and projections to give way to. */
  gauge?: IntakeGauge;
}

/** Answers `POST /webhooks/:provider`; `handles` says whether a request is one. */
export interface WebhookHandler {
  handles(request: IncomingMessage): boolean;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

const defaultBodyLimitBytes = 256 * 1024;
const prefix = '/webhooks/';
const providerPattern = /^[a-z0-9_-]{1,64}$/;

function singleHeader(value: string | string[] | undefined): string | undefined {
  // Two signature headers are ambiguous; refusing them is safer than picking one.
  return Array.isArray(value) ? undefined : value;
}

/** The `:provider` of `/webhooks/:provider[/][?query]`, or undefined for any other path. */
export function webhookProvider(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith(prefix)) return undefined;
  const query = url.indexOf('?');
  let segment = url.slice(prefix.length, query === -1 ? undefined : query);
  if (segment.endsWith('/')) segment = segment.slice(0, -1);
  if (segment.length === 0 || segment.includes('/')) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, { status, body }: IntakeResponse): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

/**
 * The intake's HTTP edge, served by node:http ahead of express: a provider's callback is the
 * service's hottest request, and none of the API's middleware (access log, GraphQL, API keys)
 * applies to it. In order: Content-Length limit (413, or 411 without a length), rate limit per
 * provider (429), provider known and configured (404), then the body and the intake. Every
 * answer is logged once: accepted ones at debug (the inbox stream records each of them),
 * refusals at warn, failures to store at error.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const intake = options.receiver ?? new WebhookIntake(options);
  const metrics = webhookMetrics(options.registry);
  const bytesMax = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const { logger, gauge } = options;
  const buckets =
    options.rateLimit !== undefined && options.rateLimit.ratePerSecond > 0
      ? new TokenBuckets({
          ratePerSecond: options.rateLimit.ratePerSecond,
          burst: Math.max(1, options.rateLimit.burst),
          keysMax: 1_000,
        })
      : undefined;

  const answer = (
    context: { requestId: string; provider: string },
    response: ServerResponse,
    result: IntakeResponse,
  ) => {
    send(response, result);
    if (result.outcome !== undefined) {
      metrics.received.inc({ provider: context.provider, result: result.outcome });
    }
    const line = { ...context, status: result.status, ...result.body };
    if (result.status < 300) logger.debug(line, 'webhook accepted');
    else if (result.status < 500) logger.warn(line, 'webhook refused');
    else logger.error(line, 'webhook not stored');
  };

  /** Answers and reads no further: the rest of the body is not wanted. */
  const refuseAndClose = (
    context: { requestId: string; provider: string },
    request: IncomingMessage,
    response: ServerResponse,
    result: IntakeResponse,
  ) => {
    response.setHeader('connection', 'close');
    response.once('finish', () => request.socket.destroy());
    answer(context, response, result);
  };

  const receive = async (
    context: { requestId: string; provider: string },
    request: IncomingMessage,
    response: ServerResponse,
  ) => {
    const refusal = declaredLengthRefusal(request.headers, bytesMax);
    if (refusal !== undefined) {
      refuseAndClose(context, request, response, refusal);
      return;
    }
    const waitMs = buckets?.take(`provider:${context.provider}`) ?? 0;
    if (waitMs > 0) {
      request.resume();
      response.setHeader('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
      answer(context, response, {
        status: 429,
        body: { error: 'RATE_LIMITED', message: 'too many requests; retry later' },
      });
      return;
    }
    const provider = configuredProvider(options.secrets, context.provider);
    if (provider === undefined) {
      request.resume();
      answer(context, response, {
        status: 404,
        body: { error: 'UNKNOWN_PROVIDER', message: 'no such webhook provider' },
      });
      return;
    }
    const raw = await readRawBody(request, bytesMax);
    if (!raw.ok) {
      refuseAndClose(context, request, response, {
        status: raw.status,
        body: { error: raw.error, message: raw.message },
      });
      return;
    }
    const result = await intake.receive({
      provider,
      signature: singleHeader(request.headers[signatureHeaderOf(provider)]),
      rawBody: raw.body,
      requestId: context.requestId,
    });
    answer(context, response, result);
  };

  return {
    handles: (request) => request.method === 'POST' && webhookProvider(request.url) !== undefined,
    handle(request, response) {
      const context = {
        requestId: assignRequestId(request, response),
        provider: webhookProvider(request.url) ?? '',
      };
      if (!providerPattern.test(context.provider)) context.provider = '(invalid)';
      gauge?.enter();
      // 'close' follows 'finish', and also comes when the client went away without an answer.
      response.once('close', () => gauge?.leave());
      receive(context, request, response).catch((error: unknown) => {
        logger.error({ err: error, requestId: context.requestId }, 'webhook intake failed');
        if (response.headersSent) {
          response.destroy();
          return;
        }
        answer(context, response, notStored(500));
      });
    },
  };
}
