import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-bucket';

/** A clock the test moves by hand, so no assertion depends on real time. */
function manualClock() {
  let nowMs = 0;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('token buckets', () => {
  it('admits a burst, then refuses and says how many seconds until the calls are there again', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets(2, 5, clock.now);
    const admitted = Array.from({ length: 8 }, () => buckets.take('token-a').admitted);
    expect(admitted.filter(Boolean)).toHaveLength(5);
    expect(buckets.take('token-a')).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(buckets.take('token-a', 5)).toEqual({ admitted: false, retryAfterSeconds: 3 });
    // Another key has its own bucket.
    expect(buckets.take('token-b').admitted).toBe(true);
    clock.advance(1000);
    expect([buckets.take('token-a').admitted, buckets.take('token-a').admitted, buckets.take('token-a').admitted]).toEqual([true, true, false]);
  });

  it('charges a batch as a whole: all its calls or none', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets(1, 10, clock.now);
    expect(buckets.take('t', 7).admitted).toBe(true);
    expect(buckets.take('t', 4)).toEqual({ admitted: false, retryAfterSeconds: 1 });
    expect(buckets.take('t', 3).admitted).toBe(true);
    // Larger than the burst: charged as the burst, so it can pass once the bucket is full.
    clock.advance(10_000);
    expect(buckets.take('t', 50).admitted).toBe(true);
  });

  it('never refills beyond the burst, and forgets refilled keys once there are many', () => {
    const clock = manualClock();
    const buckets = new TokenBuckets(1000, 3, clock.now);
    clock.advance(60_000);
    expect(Array.from({ length: 4 }, () => buckets.take('idle').admitted)).toEqual([true, true, true, false]);
    for (let i = 0; i < 10_000; i += 1) buckets.take(`random-${i}`);
    clock.advance(10);
    buckets.take('one-more');
    expect(buckets.size).toBeLessThan(100);
  });

  it('refuses a configuration that would admit nothing', () => {
    expect(() => new TokenBuckets(0, 10)).toThrow(/perSecond > 0/);
    expect(() => new TokenBuckets(5, 0)).toThrow(/burst >= 1/);
  });
});
