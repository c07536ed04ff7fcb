import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError } from './graphql-module.ts';
import type { Response } from 'express';
import type { Logger } from '../../infra/logging/logger.ts';
import { toPublicError } from './errors.ts';

/**
 * The request being served, for code that runs outside the GraphQL context (error masking),
 * so that a masked error is logged with the request id the client saw in x-request-id.
 */
export const currentRequest = new AsyncLocalStorage<{ requestId: string; logger: Logger }>();

/**
 * The one place resolver errors become public: typed errors get their code; graphql's own
 * errors (syntax, validation) pass unchanged; everything else is logged and masked.
 */
export function maskError(error: unknown, message: string, fallbackLogger: Logger): Error {
  const located = error instanceof GraphQLError ? error : undefined;
  const original = located ? (located.originalError ?? located) : error;
  const mapped = toPublicError(original, located);
  if (mapped) return mapped;
  if (original instanceof GraphQLError && original.originalError === undefined) {
    // A variable of the wrong type: the outer error names the variable and the field at fault.
    return located && located.path === undefined ? located : original;
  }
  const request = currentRequest.getStore();
  const logger = request?.logger ?? fallbackLogger;
  logger.error({ err: original, path: located?.path }, 'unexpected error while serving GraphQL');
  return new GraphQLError(message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(request ? { requestId: request.requestId } : {}),
    },
  });
}

/** A GraphQL-shaped error answer for refusals made before GraphQL runs (auth, content type). */
export function sendGraphqlError(
  response: Response,
  status: number,
  code: string,
  message: string,
): void {
  if (status === 401) response.setHeader('www-authenticate', 'Bearer realm="payment-ledger"');
  response
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
