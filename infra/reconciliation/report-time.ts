import { parseInstant } from '../../domain/time.ts';

const SPACED_UTC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/;
const EPOCH_SECONDS = /^[0-9]{9,11}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Stripe's "2025-01-31 12:00:00" (UTC), checked field by field: every report row has one. */
function parseSpacedUtc(match: RegExpExecArray): string | undefined {
  const [year, month, day, hour, minute, second] = match
    .slice(1, 7)
    .map((part) => Number(part ?? '0'));
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  const valid =
    monthDays !== undefined &&
    day >= 1 &&
    day <= monthDays &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (second ?? 0) <= 59;
  if (!valid) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second)).toISOString();
}

/**
 * A report's timestamp as an ISO instant, or undefined. Accepts what Stripe exports write:
 * "2025-01-31 12:00:00" or "2025-01-31 12:00" (UTC), unix seconds, or an ISO-8601 instant.
 */
export function parseReportInstant(text: string): string | undefined {
  if (EPOCH_SECONDS.test(text)) return new Date(Number(text) * 1000).toISOString();
  const spaced = SPACED_UTC.exec(text);
  if (spaced !== null) return parseSpacedUtc(spaced);
  const epochMs = parseInstant(text);
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
