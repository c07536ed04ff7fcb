import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from './roles.ts';

/** A key as configured: only the SHA-256 digest of the secret is kept in memory. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  roles: readonly Role[];
  keySha256: Buffer;
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Presented keys longer than this are refused before hashing: no key we issue is this long. */
const presentedKeyLengthMax = 512;

/**
 * Verifies presented keys. Every stored digest is compared, with timingSafeEqual, whether or
 * not an earlier one matched, so that the time taken says nothing about which key was close.
 */
export class ApiKeyStore {
  private readonly records: readonly ApiKeyRecord[];

  constructor(records: readonly ApiKeyRecord[]) {
    const ids = new Set<string>();
    for (const record of records) {
      if (ids.has(record.id)) throw new Error(`API key id ${record.id} is configured twice`);
      ids.add(record.id);
    }
    this.records = [...records];
  }

  get size(): number {
    return this.records.length;
  }

  /** The key ids, for logs at start-up; never the secrets. */
  keyIds(): string[] {
    return this.records.map((record) => record.id);
  }

  authenticate(presented: string): Principal | undefined {
    if (presented.length === 0 || presented.length > presentedKeyLengthMax) return undefined;
    const digest = sha256(presented);
    let match: ApiKeyRecord | undefined;
    for (const record of this.records) {
      if (timingSafeEqual(digest, record.keySha256) && match === undefined) match = record;
    }
    if (!match) return undefined;
    return { keyId: match.id, tenant: match.tenant, roles: new Set(match.roles) };
  }
}
