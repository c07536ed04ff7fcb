import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../infra/write/canonical-json.ts';

/** The definition: JSON.stringify of a copy with keys sorted at every level. */
function reference(value: unknown): string {
  const sortKeys = (item: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error('too deep');
    if (typeof item === 'bigint') return item.toString();
    if (Array.isArray(item)) return item.map((element) => sortKeys(element, depth + 1));
    if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item as Record<string, unknown>)
        .filter(([, element]) => element !== undefined)
        .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
      return Object.fromEntries(
        entries.map(([key, element]) => [key, sortKeys(element, depth + 1)]),
      );
    }
    return item;
  };
  return JSON.stringify(sortKeys(value, 0));
}

const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('0', '1', '7', '10', '01', '4294967294', '4294967295', '-1', '__proto__'),
);

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  ),
})).node;

describe('canonicalJson', () => {
  it('writes exactly what JSON.stringify of a key-sorted copy writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(value), fc.dictionary(key, value)), (input) => {
        expect(canonicalJson(input)).toBe(reference(input));
      }),
      { numRuns: 2_000 },
    );
  });

  it('orders array-index keys numerically first, as an object holds them', () => {
    expect(canonicalJson({ b: 1, '10': 2, '9': 3, a: undefined, '01': 4 })).toBe(
      '{"9":3,"10":2,"01":4,"b":1}',
    );
  });

  it('refuses values nested too deeply', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 70; level += 1) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/too deeply/);
  });
});
