import type { Metadata, ServiceError, UntypedHandleCall } from '@grpc/grpc-js';
import { authenticate, authenticationError, type UserTable } from './authentication.ts';

type Guard = (metadata: Metadata) => ServiceError | undefined;

export function authenticationGuard(users: UserTable): Guard {
  return (metadata) => {
    const verdict = authenticate(metadata, users);
    return verdict === 'allowed' ? undefined : authenticationError(verdict);
  };
}

interface AnyCall {
  metadata: Metadata;
  emit(event: 'error', error: ServiceError): boolean;
}

/**
 * Wraps a handler so that it runs only for authenticated callers. Unary and client-streaming
 * handlers answer through their callback; streaming ones through an 'error' on the call.
 */
export function guarded(handler: UntypedHandleCall, guard: Guard | undefined): UntypedHandleCall {
  if (!guard) return handler;
  const wrapped = (call: AnyCall, callback?: (error: ServiceError) => void): void => {
    const refusal = guard(call.metadata);
    if (!refusal) {
      (handler as (call: AnyCall, callback?: unknown) => void)(call, callback);
      return;
    }
    if (callback) callback(refusal);
    else call.emit('error', refusal);
  };
  return wrapped as unknown as UntypedHandleCall;
}
