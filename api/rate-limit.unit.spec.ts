import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.ts';

describe('token buckets', () => {
  it('allows a burst, then refills at the configured rate', () => {
    let now = 0;
    const buckets = new TokenBuckets({
      ratePerSecond: 10,
      burst: 3,
      keysMax: 10,
      clockMs: () => now,
    });
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(100);
    now += 100;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('b')).toBe(0);
  });

  it('keeps a bounded number of buckets', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, keysMax: 2, clockMs: () => 0 });
    buckets.take('a');
    buckets.take('b');
    buckets.take('c');
    // 'a' was evicted, so it starts again with a full bucket.
    expect(buckets.take('a')).toBe(0);
  });
});
