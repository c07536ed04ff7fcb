import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Logger } from '../logging/logger.ts';
import { loadOrCreatePrivateJson, readPrivateJson } from '../runtime/private-json-file.ts';

/** Where the `sim` provider's development secret lives, under DATA_DIR: its owner's only. */
export const developmentSimSecretFileName = 'development-webhook-secret-sim.json';

interface StoredSecret {
  provider: 'sim';
  secret: string;
  createdAt: string;
}

function parseStored(json: unknown): StoredSecret | undefined {
  const candidate = json as Partial<StoredSecret> | null;
  if (candidate?.provider !== 'sim') return undefined;
  if (typeof candidate.secret !== 'string' || candidate.secret.length < 16) return undefined;
  return { provider: 'sim', secret: candidate.secret, createdAt: String(candidate.createdAt) };
}

function pathUnder(dataDirectory: string): string {
  return join(resolve(dataDirectory), developmentSimSecretFileName);
}

/** The development secret of `sim`, for local tools (the simulator), or undefined if none. */
export async function readDevelopmentSimSecret(dataDirectory: string): Promise<string | undefined> {
  return (await readPrivateJson(pathUnder(dataDirectory), parseStored))?.secret;
}

export interface DevelopmentSecretsOptions {
  /** API_KEYS is unset: the service runs on its development defaults. */
  development: boolean;
  dataDirectory: string;
  logger: Logger;
}

/**
 * The webhook secrets the service verifies with. On development defaults (API_KEYS unset, the
 * same condition as the development API key) and without WEBHOOK_SECRET_SIM, the ledger's own
 * `sim` provider gets a random secret kept under DATA_DIR, so that `npm start` followed by
 * `npm run simulate` works with nothing to configure. Never in production: with API_KEYS set,
 * only the configured secrets exist, and `stripe` is never enabled this way.
 */
export async function withDevelopmentSimSecret(
  configured: ReadonlyMap<string, readonly string[]>,
  options: DevelopmentSecretsOptions,
): Promise<ReadonlyMap<string, readonly string[]>> {
  if (!options.development || (configured.get('sim')?.length ?? 0) > 0) return configured;
  const path = pathUnder(options.dataDirectory);
  const { value } = await loadOrCreatePrivateJson(path, parseStored, () => ({
    provider: 'sim' as const,
    secret: `whsec_dev_${randomBytes(32).toString('base64url')}`,
    createdAt: new Date().toISOString(),
  }));
  options.logger.warn(
    { provider: 'sim', path },
    'WEBHOOK_SECRET_SIM is not set: the sim provider verifies with the development secret ' +
      'stored under DATA_DIR (never in production)',
  );
  return new Map([...configured, ['sim', [value.secret]]]);
}
