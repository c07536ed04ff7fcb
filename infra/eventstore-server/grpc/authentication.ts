import { timingSafeEqual } from 'node:crypto';
import { Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { unauthenticatedError } from './errors.ts';

export type UserTable = Readonly<Record<string, string>>;

export const defaultUsers: UserTable = { admin: 'changeit', ops: 'changeit' };

export type AuthenticationVerdict = 'allowed' | 'anonymous' | 'rejected';

/** Basic credentials only; anything else (including Bearer) is not a user this node knows. */
export function authenticate(metadata: Metadata, users: UserTable): AuthenticationVerdict {
  const header = metadata.get('authorization')[0];
  if (header === undefined) return 'anonymous';
  const match = /^Basic\s+(.+)$/i.exec(String(header));
  if (!match?.[1]) return 'rejected';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return 'rejected';
  const expected = users[decoded.slice(0, separator)];
  if (expected === undefined) return 'rejected';
  const given = Buffer.from(decoded.slice(separator + 1), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? 'allowed' : 'rejected';
}

/** The error a secured ESDB gives: 401 for bad credentials, access denied for anonymous. */
export function authenticationError(
  verdict: Exclude<AuthenticationVerdict, 'allowed'>,
): ServiceError {
  if (verdict === 'rejected') return unauthenticatedError() as ServiceError;
  const metadata = new Metadata();
  metadata.set('exception', 'access-denied');
  return {
    code: grpcStatus.PERMISSION_DENIED,
    details: 'Access denied.',
    metadata,
    name: 'RpcError',
    message: 'Access denied.',
  };
}
