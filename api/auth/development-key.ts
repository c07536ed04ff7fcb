import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadOrCreatePrivateJson, readPrivateJson } from '../../infra/runtime/private-json-file.ts';
import { sha256, type ApiKeyRecord } from './api-key-store.ts';
import { PLATFORM_TENANT, ROLES } from './roles.ts';

/** Where the development key lives, under DATA_DIR: readable by its owner only. */
export const developmentKeyFileName = 'development-api-key.json';

const storedKeySchema = z.object({
  id: z.string().min(1),
  key: z.string().min(24),
  tenant: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
  createdAt: z.string(),
});
type StoredKey = z.infer<typeof storedKeySchema>;

export interface DevelopmentKey {
  record: ApiKeyRecord;
  /** The plain key: returned only when this call created it, so it can be shown once. */
  createdKey: string | undefined;
  path: string;
}

function newKey(now: Date): StoredKey {
  return {
    id: 'development',
    key: `ledger_dev_${randomBytes(32).toString('base64url')}`,
    // A platform key with every role: a developer's laptop sees every tenant it creates.
    tenant: PLATFORM_TENANT,
    roles: [...ROLES],
    createdAt: now.toISOString(),
  };
}

function toRecord(stored: StoredKey): ApiKeyRecord {
  return {
    id: stored.id,
    tenant: stored.tenant,
    roles: stored.roles,
    keySha256: sha256(stored.key),
  };
}

function parseStored(json: unknown): StoredKey | undefined {
  const parsed = storedKeySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The key used when API_KEYS is unset: created once, then reused on every start (two processes
 * starting together end up with one key).
 */
export async function loadOrCreateDevelopmentKey(
  dataDirectory: string,
  now: Date = new Date(),
): Promise<DevelopmentKey> {
  const path = join(resolve(dataDirectory), developmentKeyFileName);
  const { value, created } = await loadOrCreatePrivateJson(path, parseStored, () => newKey(now));
  return { record: toRecord(value), createdKey: created ? value.key : undefined, path };
}

/** The development key's plain text, for local tools (the simulator), or undefined if none. */
export async function readDevelopmentKey(dataDirectory: string): Promise<string | undefined> {
  const path = join(resolve(dataDirectory), developmentKeyFileName);
  return (await readPrivateJson(path, parseStored))?.key;
}
