import { describe, expect, it } from 'vitest';
import { attemptsBeforeFailed, backoffCapMs, conflictRetryMs, retryStep } from './push-retry';

describe('push retry: one row per rule', () => {
  const rows = [
    { rule: 'a rate limit waits as asked', run: () => retryStep({ kind: 'rate_limited', retryAfterMs: 1500, message: '429' }, 0, 0), expected: { retryInMs: 1500, state: 'pending' } },
    { rule: 'a transient failure backs off exponentially', run: () => retryStep({ kind: 'transient', message: '503' }, 3, 1), expected: { retryInMs: 1600, state: 'pending' } },
    { rule: 'backoff is capped', run: () => retryStep({ kind: 'transient', message: '503' }, 40, 1), expected: { retryInMs: backoffCapMs } },
    { rule: 'repeated failures show as failed', run: () => retryStep({ kind: 'transient', message: '503' }, attemptsBeforeFailed - 1, 0), expected: { state: 'failed' } },
    { rule: 'a conflict retries shortly with the marketplace number', run: () => retryStep({ kind: 'conflict', currentQuantity: 7, message: '409' }, 0, 0), expected: { retryInMs: conflictRetryMs, marketplaceQuantity: 7, state: 'pending' } },
    { rule: 'a rejection is failed and waits long', run: () => retryStep({ kind: 'rejected', message: 'unknown listing' }, 0, 0), expected: { state: 'failed', retryInMs: 3_600_000 } },
  ] as const;
  it.each(rows)('$rule', ({ run, expected }) => {
    expect(run()).toMatchObject(expected);
  });
});
