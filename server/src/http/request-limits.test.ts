import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { AppError } from '../errors';
import { defaultRequestLimits, RequestLimits, requestLimitsFromEnv, retryAfterSecondsOf } from './request-limits';

describe('request limits', () => {
  it('reads overrides from the environment and stops the start on a value that is not a number, naming the variable', () => {
    expect(requestLimitsFromEnv({ ONHAND_TOKEN_CALLS_PER_SECOND: '50', ONHAND_MAX_BATCH_CALLS: '10', ONHAND_TENANT_BURST: '' })).toEqual({ tokenCallsPerSecond: 50, maxBatchCalls: 10 });
    expect(() => requestLimitsFromEnv({ ONHAND_TENANT_BURST: 'lots' })).toThrow('ONHAND_TENANT_BURST must be a number >= 0 (got "lots")');
    expect(() => requestLimitsFromEnv({ ONHAND_TOKEN_BURST: '-1' })).toThrow(/ONHAND_TOKEN_BURST/);
  });

  it('refuses a token over its rate with the seconds to wait, and a rate of 0 means no limit', () => {
    const limits = new RequestLimits({ tokenCallsPerSecond: 1, tokenBurst: 2 });
    limits.admitToken('onh_s_a', 2);
    const refusal = (() => {
      try {
        limits.admitToken('onh_s_a', 1);
      } catch (error) {
        return error as TRPCError;
      }
      throw new Error('expected a refusal');
    })();
    expect(refusal.code).toBe('TOO_MANY_REQUESTS');
    expect(refusal.message).toBe('rate limit: this token sent more than 1 calls per second (bursts up to 2); retry after 1 s');
    expect(retryAfterSecondsOf(refusal)).toBe(1);
    limits.admitToken('onh_s_b', 2);

    const unlimited = new RequestLimits({ tokenCallsPerSecond: 0, tenantCallsPerSecond: 0 });
    for (let i = 0; i < 10 * defaultRequestLimits.tokenBurst; i += 1) unlimited.admitToken('onh_s_a', 1);
  });

  it('refuses a batch with more calls than allowed, naming the batch', () => {
    const limits = new RequestLimits({ maxBatchCalls: 3 });
    limits.checkBatch(3);
    expect(() => limits.checkBatch(4)).toThrow('batch: 4 calls in one request; at most 3 (send the rest in another request)');
  });

  it('asks a busy server’s client to come back in a second, and says nothing for other errors', () => {
    const busy = new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'busy', cause: new AppError('TOO_MANY_REQUESTS', 'busy') });
    expect(retryAfterSecondsOf(busy)).toBe(1);
    expect(retryAfterSecondsOf(new TRPCError({ code: 'BAD_REQUEST', message: 'x' }))).toBeUndefined();
  });
});
