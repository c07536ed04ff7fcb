import { parseInstant } from '../../domain/time.ts';

const SPACED_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?)$/;
const EPOCH_SECONDS = /^[0-9]{9,11}$/;

/**
 * A report's timestamp as an ISO instant, or undefined. Accepts what Stripe exports write:
 * "2025-01-31 12:00:00" or "2025-01-31 12:00" (UTC), unix seconds, or an ISO-8601 instant.
 */
export function parseReportInstant(text: string): string | undefined {
  if (EPOCH_SECONDS.test(text)) return new Date(Number(text) * 1000).toISOString();
  const spaced = SPACED_UTC.exec(text);
  const iso = spaced === null ? text : `${spaced[1]}T${spaced[2]}${spaced[2]?.length === 5 ? ':00' : ''}Z`;
  const epochMs = parseInstant(iso);
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
