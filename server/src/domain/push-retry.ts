/**
 * What the outbox does after a failed push (pure; the drainer applies it).
 * Transient failures back off exponentially (capped), a rate limit waits as
 * long as the marketplace asked, a compare-and-set conflict retries shortly
 * with the marketplace's number as the new expectation, a rejection waits
 * long and is shown as failed to the seller.
 */
export type PushFailure =
  | { kind: 'rate_limited'; retryAfterMs: number; message: string }
  | { kind: 'transient'; message: string }
  | { kind: 'conflict'; currentQuantity: number; message: string }
  | { kind: 'rejected'; message: string };

export interface RetryStep {
  retryInMs: number;
  state: 'pending' | 'failed';
  /** The marketplace's own number, when it told us (compare-and-set). */
  marketplaceQuantity?: number;
  error: string;
}

export const backoffBaseMs = 200;
export const backoffCapMs = 5 * 60_000;
export const conflictRetryMs = 5_000;
/** After this many failed attempts in a row, the seller sees the push as failed (it keeps being retried). */
export const attemptsBeforeFailed = 5;

/** `jitter` in [0, 1): callers pass Math.random(); tests pass a fixed value. */
export function retryStep(failure: PushFailure, attemptsSoFar: number, jitter: number): RetryStep {
  const attempts = attemptsSoFar + 1;
  const state = attempts >= attemptsBeforeFailed ? 'failed' : 'pending';
  switch (failure.kind) {
    case 'rate_limited':
      return { retryInMs: Math.max(failure.retryAfterMs, 50), state: 'pending', error: `rate limited: ${failure.message}` };
    case 'transient':
      return { retryInMs: Math.min(backoffCapMs, backoffBaseMs * 2 ** attemptsSoFar) * (0.5 + jitter / 2), state, error: failure.message };
    case 'conflict':
      // Not at once: the marketplace's lower number is usually a sale whose
      // order has not reached onhand yet; give it a moment to arrive.
      return { retryInMs: conflictRetryMs, state, marketplaceQuantity: failure.currentQuantity, error: `marketplace showed ${failure.currentQuantity}: ${failure.message}` };
    case 'rejected':
      return { retryInMs: 60 * 60_000, state: 'failed', error: `rejected: ${failure.message}` };
  }
}
