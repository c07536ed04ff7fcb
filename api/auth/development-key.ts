import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { sha256, type ApiKeyRecord } from './api-key-store.ts';
import { PLATFORM_TENANT, ROLES } from './roles.ts';

/** Where the development key lives, under DATA_DIR: readable by its owner only. */
export const developmentKeyFileName = 'development-api-key.json';
const fileMode = 0o600;

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

async function readStored(path: string): Promise<StoredKey | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = storedKeySchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${developmentKeyFileName} under DATA_DIR is malformed`);
  return parsed.data;
}

/**
 * The key used when API_KEYS is unset: created once, then reused on every start. Creation uses
 * the exclusive flag so that two processes starting together cannot end up with two keys.
 */
export async function loadOrCreateDevelopmentKey(
  dataDirectory: string,
  now: Date = new Date(),
): Promise<DevelopmentKey> {
  const directory = resolve(dataDirectory);
  const path = join(directory, developmentKeyFileName);
  const existing = await readStored(path);
  if (existing) return { record: toRecord(existing), createdKey: undefined, path };
  await mkdir(directory, { recursive: true });
  const created = newKey(now);
  try {
    await writeFile(path, `${JSON.stringify(created, null, 2)}\n`, { mode: fileMode, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; make sure nobody else can read it.
    await chmod(path, fileMode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readStored(path);
    if (!winner) throw error;
    return { record: toRecord(winner), createdKey: undefined, path };
  }
  return { record: toRecord(created), createdKey: created.key, path };
}
