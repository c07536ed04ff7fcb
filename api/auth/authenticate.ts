import type { ApiKeyStore } from './api-key-store.ts';
import type { Principal } from './roles.ts';

export type AuthenticationOutcome =
  { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' };

const bearerPattern = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i;

/** The token of an `Authorization: Bearer <token>` header, or why there is none. */
export function bearerToken(
  header: string | undefined,
): { ok: true; token: string } | { ok: false; reason: 'missing' | 'malformed' } {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const match = bearerPattern.exec(header);
  if (!match || match[1] === undefined) return { ok: false, reason: 'malformed' };
  return { ok: true, token: match[1] };
}

export function authenticateRequest(
  apiKeys: ApiKeyStore,
  authorizationHeader: string | undefined,
): AuthenticationOutcome {
  const token = bearerToken(authorizationHeader);
  if (!token.ok) return token;
  const principal = apiKeys.authenticate(token.token);
  return principal ? { ok: true, principal } : { ok: false, reason: 'unknown' };
}
