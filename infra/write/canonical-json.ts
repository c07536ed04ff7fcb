/**
 * JSON with object keys sorted at every level: the same value always gives the same bytes,
 * which is what hashing and request fingerprints need.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error('value nested too deeply to canonicalise');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item, depth + 1)]));
  }
  return value;
}
