import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { WebhookIntake, type IntakeOptions } from './intake.ts';

export interface WebhookRouterOptions extends IntakeOptions {
  /** Largest body read; a bigger one is refused with 413 (default 256kb). */
  bodyLimit?: string;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  // Two signature headers are ambiguous; refusing them is safer than picking one.
  return Array.isArray(value) ? undefined : value;
}

function bodyErrorHandler(
  error: unknown,
  _request: Request,
  response: Response,
  next: NextFunction,
) {
  const { type, status } = (error ?? {}) as { type?: string; status?: number };
  if (type === 'entity.too.large') {
    response.status(413).json({ error: 'PAYLOAD_TOO_LARGE', message: 'body exceeds the limit' });
    return;
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    response.status(status).json({ error: 'BAD_REQUEST', message: 'the body could not be read' });
    return;
  }
  next(error);
}

/**
 * `POST /webhooks/:provider` (mount at `/webhooks`). The body is read raw, because the
 * signature covers the exact bytes; the raw parser is on this route only, so nothing upstream
 * may have consumed or re-encoded it. Providers without a secret are 404 before any body is read.
 */
export function createWebhookRouter(options: WebhookRouterOptions): Router {
  const intake = new WebhookIntake(options);
  const router = express.Router();
  const knownProvider = (request: Request, response: Response, next: NextFunction) => {
    if (intake.provider(String(request.params.provider)) !== undefined) return next();
    response.status(404).json({ error: 'UNKNOWN_PROVIDER', message: 'no such webhook provider' });
  };
  const rawBody = express.raw({
    // Any content type, and none: the signature decides, not the header.
    type: () => true,
    limit: options.bodyLimit ?? '256kb',
    inflate: false,
  });
  router.post(
    '/:provider',
    knownProvider,
    rawBody,
    async (request: Request, response: Response) => {
      const provider = String(request.params.provider);
      const header = intake.signatureHeader(intake.provider(provider)!);
      const result = await intake.receive({
        provider,
        signature: singleHeader(request.headers[header]),
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        requestId: typeof request.id === 'string' ? request.id : undefined,
      });
      response.status(result.status).json(result.body);
    },
  );
  router.use(bodyErrorHandler);
  return router;
}
