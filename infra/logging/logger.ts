import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["stripe-signature"]',
  'req.headers["ledger-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  'secret',
  'secrets',
  'password',
  '*.apiKey',
  '*.secret',
  '*.password',
];

export function createLogger(level: LevelWithSilent, name = 'ledger'): Logger {
  return pino({
    name,
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
