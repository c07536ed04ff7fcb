import { createHash } from 'node:crypto';

/**
 * One inbox stream per provider callback: `webhook-<provider>-<providerEventId>`. Appending its
 * first event with expected revision "no stream" is the durable inbox and the dedupe in one step.
 */
export const INBOX_STREAM_PREFIX = 'webhook-';

/** Providers this ledger understands; a secret for any other name is ignored (404). */
export const KNOWN_PROVIDERS = ['stripe', 'sim'] as const;
export type ProviderName = (typeof KNOWN_PROVIDERS)[number];

export function isKnownProvider(name: string): name is ProviderName {
  return (KNOWN_PROVIDERS as readonly string[]).includes(name);
}

export const PROVIDER_EVENT_ID_LENGTH_MAX = 255;

// Ids kept literally: short, from a safe charset, and never shaped like a hashed id.
const literalIdPattern = /^[A-Za-z0-9_.:-]{1,100}$/;
const hashedPrefix = 'h_';

/** Stream-safe spelling of a provider's event id; long or odd ids are hashed, never truncated. */
export function safeEventIdentifier(providerEventId: string): string {
  if (literalIdPattern.test(providerEventId) && !providerEventId.startsWith(hashedPrefix)) {
    return providerEventId;
  }
  return `${hashedPrefix}${createHash('sha256').update(providerEventId, 'utf8').digest('hex')}`;
}

export function inboxStreamName(provider: string, providerEventId: string): string {
  return `${INBOX_STREAM_PREFIX}${provider}-${safeEventIdentifier(providerEventId)}`;
}
