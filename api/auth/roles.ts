/** What a key may do. Each GraphQL field names the one role it needs. */
export const ROLES = ['read', 'write', 'audit', 'operate'] as const;
export type Role = (typeof ROLES)[number];

/** The tenant value of a key that sees every tenant. */
export const PLATFORM_TENANT = '*';

/** Who is calling, once a key has been verified. Never holds the secret itself. */
export interface Principal {
  readonly keyId: string;
  /** A tenant id, or PLATFORM_TENANT for a platform-wide key. */
  readonly tenant: string;
  readonly roles: ReadonlySet<Role>;
}

export function isPlatformWide(principal: Principal): boolean {
  return principal.tenant === PLATFORM_TENANT;
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.has(role);
}
