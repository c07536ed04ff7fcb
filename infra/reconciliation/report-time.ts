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

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * "2025-01-31 12:00:00" or "2025-01-31 12:00" read by hand, the shape nearly every row has:
 * the same checks as parseSpacedUtc, and the same ISO text it would write. Undefined (not a
 * refusal) for anything else, which then takes the general path. Years before 1970 go there too.
 */
function quickSpacedUtc(text: string): string | undefined {
  const withSeconds = text.length === 19;
  if (!withSeconds && text.length !== 16) return undefined;
  const separators = text[4] === '-' && text[7] === '-' && text[10] === ' ' && text[13] === ':';
  if (!separators || (withSeconds && text[16] !== ':')) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = withSeconds ? digitsAt(text, 17, 2) : 0;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0) return undefined;
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays || hour > 23 || minute > 59 || second < 0 || second > 59) return undefined;
  const seconds = withSeconds ? text.slice(16, 19) : ':00';
  return `${text.slice(0, 10)}T${text.slice(11, 16)}${seconds}.000Z`;
}

/**
 * A report's timestamp as an ISO instant, or undefined. Accepts what Stripe exports write:
 * "2025-01-31 12:00:00" or "2025-01-31 12:00" (UTC), unix seconds, or an ISO-8601 instant.
 */
export function parseReportInstant(text: string): string | undefined {
  const quick = quickSpacedUtc(text);
  if (quick !== undefined) return quick;
  if (EPOCH_SECONDS.test(text)) return new Date(Number(text) * 1000).toISOString();
  const spaced = SPACED_UTC.exec(text);
  if (spaced !== null) return parseSpacedUtc(spaced);
  const epochMs = parseInstant(text);
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}
