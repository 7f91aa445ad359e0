/**
 * Token buckets keyed by a string (a token's hash, a tenant id): each key may
 * spend `burst` calls at once and regains `perSecond` calls every second.
 * In memory, per process: with several replicas each one limits on its own,
 * so a client spread over N replicas gets up to N times the rate.
 */
export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Above this many keys, buckets that have refilled completely are forgotten (a full bucket is what a new key gets anyway). */
const sweepAboveKeys = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new Error(`a token bucket needs perSecond > 0 and burst >= 1 (got ${perSecond}, ${burst})`);
  }

  /**
   * Spends `cost` calls from `key`'s bucket, or refuses all of them and says
   * when that many will be there again. A cost above the burst is charged as
   * the burst, so a large (but allowed) batch is never refused forever.
   */
  take(key: string, cost = 1): Admission {
    const now = this.nowMs();
    const charged = Math.min(Math.max(cost, 1), this.burst);
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= charged) {
      bucket.tokens -= charged;
      return { admitted: true };
    }
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((charged - bucket.tokens) / this.perSecond)) };
  }

  /** Keys currently remembered (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= sweepAboveKeys) this.sweep(now);
      bucket = { tokens: this.burst, updatedMs: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.perSecond);
    bucket.updatedMs = now;
    return bucket;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
  }
}
