import { z } from 'zod';

/** Environment variables the service reads. README documents every one of them. */
const providerSecretPrefix = 'WEBHOOK_SECRET_';

const portSchema = z.coerce
  .number({ message: 'must be an integer port number' })
  .int('must be an integer port number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const postgresUrlSchema = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\/.+/.test(value), {
    message: 'must be a postgres:// or postgresql:// URL',
  });

const esdbConnectionSchema = z
  .string()
  .trim()
  .refine(
    (value) => /^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb):\/\/.+/.test(value),
    {
      message: 'must be an esdb:// (or esdb+discover://, kurrentdb://) connection string',
    },
  );

const nonNegativeInteger = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a non-negative integer` })
    .int('must be a non-negative integer')
    .min(0, 'must be a non-negative integer');

const environmentSchema = z.object({
  PORT: portSchema.default(4000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./.data'),
  DATABASE_URL: postgresUrlSchema.optional(),
  READ_DATABASE_URL: postgresUrlSchema.optional(),
  ESDB_CONNECTION_STRING: esdbConnectionSchema.optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  API_KEYS: z.string().trim().optional(),
  RATE_LIMIT_RPS: nonNegativeInteger('RATE_LIMIT_RPS').default(100),
  RATE_LIMIT_BURST: nonNegativeInteger('RATE_LIMIT_BURST').default(200),
  // Per provider, not per API key: a provider delivers every merchant's callbacks through one
  // bucket, so its default sits far above the intake's measured capacity.
  WEBHOOK_RATE_LIMIT_RPS: nonNegativeInteger('WEBHOOK_RATE_LIMIT_RPS').default(10_000),
  WEBHOOK_RATE_LIMIT_BURST: nonNegativeInteger('WEBHOOK_RATE_LIMIT_BURST').default(20_000),
  // Threads verifying and storing callbacks beside the main one; 0 = on the main thread.
  WEBHOOK_INTAKE_THREADS: z.coerce.number().int().min(0).max(8).default(1),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  GRAPHQL_INTROSPECTION: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
});

export type Environment = z.infer<typeof environmentSchema>;

export interface Config extends Environment {
  /** Webhook signing secrets per provider (lower-case name), newest first; several for rotation. */
  webhookSecrets: ReadonlyMap<string, readonly string[]>;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

function parseWebhookSecrets(
  environment: NodeJS.ProcessEnv,
  problems: string[],
): Map<string, string[]> {
  const secrets = new Map<string, string[]>();
  for (const [name, value] of Object.entries(environment)) {
    if (!name.startsWith(providerSecretPrefix)) continue;
    const provider = name.slice(providerSecretPrefix.length).toLowerCase();
    if (!/^[a-z0-9_]+$/.test(provider)) {
      problems.push(`${name}: provider name must be letters, digits or underscores`);
      continue;
    }
    const list = (value ?? '')
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret.length > 0);
    if (list.length === 0) {
      problems.push(`${name}: must hold at least one secret (comma-separated for rotation)`);
      continue;
    }
    if (list.some((secret) => secret.length < 16)) {
      problems.push(`${name}: every secret must be at least 16 characters`);
      continue;
    }
    secrets.set(provider, list);
  }
  return secrets;
}

/** Reads and validates the environment; throws ConfigError with one line per wrong variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = environmentSchema.safeParse(present);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join('.') || 'environment';
      // Never echo the value: it may be a secret.
      problems.push(`${name}: ${issue.message}`);
    }
  }
  const webhookSecrets = parseWebhookSecrets(environment, problems);
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return { ...result.data, webhookSecrets };
}
