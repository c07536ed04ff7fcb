import { describe, expect, it } from 'vitest';
import { RecentEventIds } from './recent-event-ids.ts';

const id = (n: number) => {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, n);
  return bytes;
};

describe('RecentEventIds', () => {
  it('keeps exactly the most recent ids, up to its capacity', () => {
    const recent = new RecentEventIds(3);
    for (let n = 0; n < 5; n += 1) recent.remember(id(n), n * 10);
    expect(recent.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((n) => recent.sequenceOf(id(n)))).toEqual([
      undefined,
      undefined,
      20,
      30,
      40,
    ]);
  });

  it('an id remembered again is kept by its newer record, not dropped with its older slot', () => {
    const recent = new RecentEventIds(3);
    recent.remember(id(1), 1);
    recent.remember(id(2), 2);
    recent.remember(id(1), 3);
    recent.remember(id(4), 4); // evicts slot 0 (id 1 at record 1): id 1 lives on at record 3
    expect(recent.sequenceOf(id(1))).toBe(3);
    recent.remember(id(5), 5); // evicts id 2
    expect(recent.sequenceOf(id(2))).toBeUndefined();
    expect(recent.sequenceOf(id(1))).toBe(3);
    recent.remember(id(6), 6); // evicts slot 2 (id 1 at record 3)
    expect(recent.sequenceOf(id(1))).toBeUndefined();
    expect(recent.size).toBe(3);
  });

  it('matches a model over long random runs', () => {
    const capacity = 50;
    const recent = new RecentEventIds(capacity);
    const history: [number, number][] = [];
    let seed = 7;
    for (let sequence = 0; sequence < 5_000; sequence += 1) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const n = seed % 120;
      recent.remember(id(n), sequence);
      history.push([n, sequence]);
    }
    const window = history.slice(-capacity);
    for (let n = 0; n < 120; n += 1) {
      const latest = window.filter(([m]) => m === n).at(-1);
      expect(recent.sequenceOf(id(n))).toBe(latest?.[1]);
    }
  });
});
