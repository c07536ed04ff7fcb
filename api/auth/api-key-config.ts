import { z } from 'zod';
import { sha256, type ApiKeyRecord } from './api-key-store.ts';
import { PLATFORM_TENANT, ROLES } from './roles.ts';

/** A problem in API_KEYS. Messages name the entry and field, never the secret's value. */
export class ApiKeyConfigError extends Error {
  override readonly name = 'ApiKeyConfigError';
}

const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Plain keys must carry enough entropy to resist guessing over the network. */
export const plainKeyLengthMin = 24;

const entrySchema = z
  .object({
    id: z.string().regex(keyIdPattern, 'id must be 1-64 letters, digits, ".", "_" or "-"'),
    key: z
      .string()
      .min(plainKeyLengthMin, `key must be at least ${plainKeyLengthMin} characters`)
      .max(512)
      .optional(),
    keySha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'keySha256 must be 64 hexadecimal digits')
      .optional(),
    tenant: z.string().refine((value) => value === PLATFORM_TENANT || tenantPattern.test(value), {
      message: 'tenant must be "*" or 1-64 letters, digits, "_" or "-"',
    }),
    roles: z.array(z.enum(ROLES)).min(1, 'roles must name at least one role'),
  })
  .strict()
  .refine((entry) => (entry.key === undefined) !== (entry.keySha256 === undefined), {
    message: 'give exactly one of key or keySha256',
  });

function describe(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `API_KEYS${issue.path.map((part) => `[${String(part)}]`).join('')}: ${issue.message}`,
    )
    .join('; ');
}

/** Parses the API_KEYS variable: a JSON array of key entries. */
export function parseApiKeys(text: string): ApiKeyRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The JSON parser's message may quote the text, which holds secrets.
    throw new ApiKeyConfigError(
      'API_KEYS: must be a JSON array of {id, key|keySha256, tenant, roles}',
    );
  }
  const result = z.array(entrySchema).min(1, 'must hold at least one key').safeParse(parsed);
  if (!result.success) throw new ApiKeyConfigError(describe(result.error));
  const ids = new Set<string>();
  return result.data.map((entry) => {
    if (ids.has(entry.id)) throw new ApiKeyConfigError(`API_KEYS: id ${entry.id} appears twice`);
    ids.add(entry.id);
    const keySha256 =
      entry.keySha256 !== undefined
        ? Buffer.from(entry.keySha256.toLowerCase(), 'hex')
        : sha256(entry.key ?? '');
    return { id: entry.id, tenant: entry.tenant, roles: [...new Set(entry.roles)], keySha256 };
  });
}
