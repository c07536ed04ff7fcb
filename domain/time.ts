/**
 * Instants are ISO-8601 strings with an explicit offset. Date.parse alone is too lenient
 * (it accepts 2024-02-30 and 24:00), so the fields are checked first; the deciders and the event
 * codec share this one definition so that a decided event always decodes.
 */
const INSTANT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Milliseconds since the epoch, or undefined when the text is not a valid instant. */
export function parseInstant(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = INSTANT_PATTERN.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHour = Number(match[7] ?? '0');
  const offsetMinute = Number(match[8] ?? '0');
  const fieldsValid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59;
  if (!fieldsValid) return undefined;
  const epochMs = Date.parse(text);
  return Number.isNaN(epochMs) ? undefined : epochMs;
}

export function isInstant(text: unknown): text is string {
  return parseInstant(text) !== undefined;
}

/** True when `deadline` is set and `now` is at or after it (both already validated). */
export function hasPassed(deadline: string | null, now: string): boolean {
  if (deadline === null) return false;
  const deadlineMs = parseInstant(deadline);
  const nowMs = parseInstant(now);
  return deadlineMs !== undefined && nowMs !== undefined && nowMs >= deadlineMs;
}
