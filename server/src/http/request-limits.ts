import { TRPCError } from '@trpc/server';
import { AppError } from '../errors';
import { bearerTokenKey } from '../usecases/token-cache';
import { TokenBuckets } from './token-bucket';

/**
 * What one client may ask of a server process before it is refused: body
 * size, calls per batched request, and calls per second per token and per
 * tenant. Refusals are immediate and say when to come back (`Retry-After`),
 * so a flood is turned away instead of queueing behind the database.
 *
 * The rate limits live in this process's memory: with several replicas each
 * replica limits on its own (a token spread over N replicas gets up to N
 * times the rate). That bounds what one process accepts, which is what
 * keeps it responsive; a fleet-wide quota would need shared state.
 */

/** Largest request body accepted; a bigger one is refused with PAYLOAD_TOO_LARGE. */
export const maxBodyBytes = 1_000_000;

export interface RequestLimitOptions {
  /** Calls per second one token may sustain (0: no limit), and how many it may send at once. */
  tokenCallsPerSecond: number;
  tokenBurst: number;
  /** The same, for all tokens of one tenant together. */
  tenantCallsPerSecond: number;
  tenantBurst: number;
  /** Calls in one batched HTTP request (tRPC `?batch=1`). */
  maxBatchCalls: number;
}

/**
 * Far above what a seller's own tools send, so only a runaway client meets
 * them: the benchmarks' 16 clients on one token make ~500 calls/s, the CLI
 * import batches 100 calls per request, the extension one per page render.
 */
export const defaultRequestLimits: RequestLimitOptions = {
  tokenCallsPerSecond: 1000,
  tokenBurst: 2000,
  tenantCallsPerSecond: 2000,
  tenantBurst: 4000,
  maxBatchCalls: 200,
};

const environmentNames: Record<keyof RequestLimitOptions, string> = {
  tokenCallsPerSecond: 'ONHAND_TOKEN_CALLS_PER_SECOND',
  tokenBurst: 'ONHAND_TOKEN_BURST',
  tenantCallsPerSecond: 'ONHAND_TENANT_CALLS_PER_SECOND',
  tenantBurst: 'ONHAND_TENANT_BURST',
  maxBatchCalls: 'ONHAND_MAX_BATCH_CALLS',
};

/** The limits the environment overrides; a value that is not a number stops the start with the variable's name. */
export function requestLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<RequestLimitOptions> {
  const overrides: Partial<RequestLimitOptions> = {};
  for (const [option, name] of Object.entries(environmentNames) as [keyof RequestLimitOptions, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0 (got ${JSON.stringify(raw)})`);
    overrides[option] = value;
  }
  return overrides;
}

/** A refusal for going over a rate; the client may come back after `retryAfterSeconds`. */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('TOO_MANY_REQUESTS', message);
    this.name = 'RateLimitedError';
  }
}

/** What a busy server (no free database connection, conflicting changes) asks the client to wait. */
export const busyRetryAfterSeconds = 1;

/** The `Retry-After` an error calls for, in whole seconds; undefined unless it is TOO_MANY_REQUESTS. */
export function retryAfterSecondsOf(error: TRPCError): number | undefined {
  if (error.code !== 'TOO_MANY_REQUESTS') return undefined;
  return error.cause instanceof RateLimitedError ? error.cause.retryAfterSeconds : busyRetryAfterSeconds;
}

/**
 * Every database connection stayed busy for as long as the pool waits
 * (node-postgres' connectionTimeoutMillis): overload, not a bug.
 */
export function isPoolExhausted(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
}

/** One server process's limits; see the module comment. */
export class RequestLimits {
  readonly options: RequestLimitOptions;
  private readonly perToken: TokenBuckets | undefined;
  private readonly perTenant: TokenBuckets | undefined;

  constructor(options: Partial<RequestLimitOptions> = {}) {
    this.options = { ...defaultRequestLimits, ...options };
    const { tokenCallsPerSecond, tokenBurst, tenantCallsPerSecond, tenantBurst } = this.options;
    this.perToken = tokenCallsPerSecond > 0 ? new TokenBuckets(tokenCallsPerSecond, Math.max(1, tokenBurst)) : undefined;
    this.perTenant = tenantCallsPerSecond > 0 ? new TokenBuckets(tenantCallsPerSecond, Math.max(1, tenantBurst)) : undefined;
  }

  /** Refuses a batched request with more calls than allowed, before any of them runs. */
  checkBatch(calls: number): void {
    const max = this.options.maxBatchCalls;
    if (max > 0 && calls > max) {
      const message = `batch: ${calls} calls in one request; at most ${max} (send the rest in another request)`;
      throw new TRPCError({ code: 'BAD_REQUEST', message, cause: new AppError('BAD_REQUEST', message, { field: 'batch' }) });
    }
  }

  /**
   * Charges a request's calls to its token before anything else happens (no
   * database lookup), so a flood from one token is refused at the door.
   */
  admitToken(bearerToken: string, calls: number, key = bearerTokenKey(bearerToken)): void {
    const admission = this.perToken?.take(key, calls);
    if (admission && !admission.admitted) {
      const { tokenCallsPerSecond, tokenBurst } = this.options;
      throw rateLimited(`rate limit: this token sent more than ${tokenCallsPerSecond} calls per second (bursts up to ${tokenBurst})`, admission.retryAfterSeconds);
    }
  }

  /** Charges one call to the tenant of an authenticated token (all its tokens share the bucket). */
  admitTenant(tenantId: string): void {
    const admission = this.perTenant?.take(tenantId, 1);
    if (admission && !admission.admitted) {
      const { tenantCallsPerSecond, tenantBurst } = this.options;
      throw rateLimited(
        `rate limit: this tenant's tokens together sent more than ${tenantCallsPerSecond} calls per second (bursts up to ${tenantBurst})`,
        admission.retryAfterSeconds,
      );
    }
  }
}

function rateLimited(reason: string, retryAfterSeconds: number): TRPCError {
  const message = `${reason}; retry after ${retryAfterSeconds} s`;
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message, cause: new RateLimitedError(message, retryAfterSeconds) });
}

/**
 * A clear message for a request refused before its input was read: tRPC
 * says only "PAYLOAD_TOO_LARGE", or passes on JSON.parse's complaint.
 */
export function requestBodyProblem(error: TRPCError): { message: string; fields: { path: string; message: string }[] } | undefined {
  let problem: string | undefined;
  if (error.code === 'PAYLOAD_TOO_LARGE') problem = `larger than ${maxBodyBytes} bytes; send fewer rows per request`;
  else if (error.code === 'BAD_REQUEST' && error.cause instanceof SyntaxError) problem = `not valid JSON (${error.cause.message})`;
  if (!problem) return undefined;
  return { message: `request body: ${problem}`, fields: [{ path: '(body)', message: problem }] };
}
