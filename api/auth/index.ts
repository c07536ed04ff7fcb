import type { Logger } from '../../infra/logging/logger.ts';
import { parseApiKeys } from './api-key-config.ts';
import { ApiKeyStore } from './api-key-store.ts';
import { loadOrCreateDevelopmentKey } from './development-key.ts';

export { ApiKeyStore, sha256, type ApiKeyRecord } from './api-key-store.ts';
export { ApiKeyConfigError, parseApiKeys } from './api-key-config.ts';
export { developmentKeyFileName } from './development-key.ts';
export { authenticateRequest, bearerToken } from './authenticate.ts';
export type { AuthenticationOutcome } from './authenticate.ts';
export {
  hasRole,
  isPlatformWide,
  PLATFORM_TENANT,
  ROLES,
  type Principal,
  type Role,
} from './roles.ts';

export interface LoadedApiKeys {
  apiKeys: ApiKeyStore;
  /**
   * Set only on the start that created the development key: the text to print once on the
   * console (it holds the key). It is a function of the service URL, known only after listen.
   * Never pass it to the logger: logs may be shipped elsewhere.
   */
  firstRunMessage?: (serviceUrl: string) => string;
}

function developmentMessage(key: string, path: string): (serviceUrl: string) => string {
  return (serviceUrl) => {
    const body = JSON.stringify({
      query:
        '{ me { keyId tenant roles } payments(first: 5) { edges { node { id status amount { amount currency formatted } } } } }',
    });
    return [
      '',
      'API_KEYS is not set: created a development API key (platform-wide, every role).',
      `It is stored, readable by you only, in ${path}.`,
      'It is printed this once:',
      '',
      `  ${key}`,
      '',
      `GraphiQL: ${serviceUrl}/graphql (add the header {"Authorization": "Bearer <key>"})`,
      'Try:',
      `  curl -s ${serviceUrl}/graphql -H 'content-type: application/json' \\`,
      `    -H 'authorization: Bearer ${key}' \\`,
      `    -d '${body}'`,
      '',
      'Demo data (payments, captures, refunds and their history), in another terminal:',
      '  npm run seed',
      '',
      'Provider callbacks (signed, duplicated, reordered, some forged), then a check of the ledger:',
      `  npm run simulate -- --url ${serviceUrl} --payments 100`,
      '',
    ].join('\n');
  };
}

/**
 * The API keys the service accepts: API_KEYS when set, else a development key kept under
 * DATA_DIR. Throws ApiKeyConfigError (no secret in its message) when API_KEYS is malformed.
 */
export async function loadApiKeys(
  apiKeysVariable: string | undefined,
  dataDirectory: string,
  logger: Logger,
): Promise<LoadedApiKeys> {
  if (apiKeysVariable !== undefined && apiKeysVariable.trim() !== '') {
    const apiKeys = new ApiKeyStore(parseApiKeys(apiKeysVariable));
    logger.info({ keyIds: apiKeys.keyIds() }, 'API keys loaded from API_KEYS');
    return { apiKeys };
  }
  const development = await loadOrCreateDevelopmentKey(dataDirectory);
  const apiKeys = new ApiKeyStore([development.record]);
  logger.warn(
    { keyIds: apiKeys.keyIds() },
    'API_KEYS is not set: using the development key stored under DATA_DIR (never in production)',
  );
  if (development.createdKey === undefined) return { apiKeys };
  return { apiKeys, firstRunMessage: developmentMessage(development.createdKey, development.path) };
}
