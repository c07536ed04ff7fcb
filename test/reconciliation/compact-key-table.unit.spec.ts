import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactKeyTable } from '../../infra/reconciliation/compact-key-table.ts';

describe('the compact key table', () => {
  it('behaves like a Map of strings to numbers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat()), { maxLength: 300 }),
        (entries) => {
          const table = new CompactKeyTable(4);
          const map = new Map<string, number>();
          for (const [key, value] of entries) {
            table.set(key, value);
            map.set(key, value);
          }
          expect(table.size).toBe(map.size);
          for (const [key, value] of map) expect(table.get(key)).toBe(value);
          expect(table.has('\u0000absent\u0000')).toBe(map.has('\u0000absent\u0000'));
        },
      ),
    );
  });

  it('claims a key once: the first value stays, later claims read it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat()), { maxLength: 300 }),
        (entries) => {
          const table = new CompactKeyTable(4);
          const first = new Map<string, number>();
          for (const [key, value] of entries) {
            expect(table.claim(key, value)).toBe(first.get(key));
            if (!first.has(key)) first.set(key, value);
          }
          for (const [key, value] of first) expect(table.get(key)).toBe(value);
          expect(table.size).toBe(first.size);
        },
      ),
    );
  });

  it('grows to hundreds of thousands of report keys without losing one', () => {
    const table = new CompactKeyTable();
    for (let index = 0; index < 300_000; index += 1) table.set(`id:txn_${index}`, index + 2);
    expect(table.size).toBe(300_000);
    for (let index = 0; index < 300_000; index += 7_919)
      expect(table.get(`id:txn_${index}`)).toBe(index + 2);
    expect(table.get('id:txn_300000')).toBeUndefined();
  });
});
