import { GraphQLError } from './graphql-module.ts';
import { EventStoreUnavailableError } from '../../infra/eventstore/event-store.ts';

/**
 * Errors resolvers throw. Each class knows its public code; `toPublicError` maps them to
 * `extensions.code` in one place, the edge. Anything else is masked and logged.
 */
export type PublicErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'CONSISTENCY_TIMEOUT'
  | 'SERVICE_UNAVAILABLE';

export abstract class ApiError extends Error {
  abstract readonly code: PublicErrorCode;
  readonly httpStatus: number | undefined = undefined;
  readonly retryable: boolean = false;
}

export class AuthenticationError extends ApiError {
  override readonly name = 'AuthenticationError';
  readonly code = 'UNAUTHENTICATED';
  override readonly httpStatus = 401;
}

export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
  constructor(readonly role: string) {
    super(`this field needs an API key with the role "${role}"`);
  }
}

export class BadUserInputError extends ApiError {
  override readonly name = 'BadUserInputError';
  readonly code = 'BAD_USER_INPUT';
  constructor(
    message: string,
    readonly argument?: string,
  ) {
    super(message);
  }
}

export class ConsistencyTimeoutError extends ApiError {
  override readonly name = 'ConsistencyTimeoutError';
  readonly code = 'CONSISTENCY_TIMEOUT';
  override readonly retryable = true;
  constructor(timeoutMs: number) {
    super(`the read models did not reach the consistency token within ${timeoutMs} ms; retry`);
  }
}

export class ServiceUnavailableError extends ApiError {
  override readonly name = 'ServiceUnavailableError';
  readonly code = 'SERVICE_UNAVAILABLE';
  override readonly retryable = true;
}

function extensionsOf(error: ApiError): Record<string, unknown> {
  const extensions: Record<string, unknown> = { code: error.code };
  if (error.retryable) extensions.retryable = true;
  if (error instanceof ForbiddenError) extensions.requiredRole = error.role;
  if (error instanceof BadUserInputError && error.argument) extensions.argument = error.argument;
  if (error.httpStatus !== undefined) extensions.http = { status: error.httpStatus };
  return extensions;
}

/**
 * The public form of a resolver's error, or undefined when it must be masked. Messages of the
 * typed errors are written for clients: they name no secret, tenant or internal detail.
 */
export function toPublicError(original: unknown, located?: GraphQLError): GraphQLError | undefined {
  const options = {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
  };
  if (original instanceof ApiError) {
    return new GraphQLError(original.message, { ...options, extensions: extensionsOf(original) });
  }
  if (original instanceof EventStoreUnavailableError) {
    return new GraphQLError('the event store is unavailable; retry later', {
      ...options,
      extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
    });
  }
  return undefined;
}
