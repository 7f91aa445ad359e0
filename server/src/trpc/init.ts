import { initTRPC, TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { noScope, platformScope, tenantScope, withScope } from '../db/scope';
import { AppError } from '../errors';
import { isPoolExhausted, requestBodyProblem, retryAfterSecondsOf } from '../http/request-limits';
import type { authenticate } from '../usecases/admin';
import { authenticateCached, forgetTokens } from '../usecases/token-cache';
import { isConnectionLost } from '../usecases/transaction';
import type { TenantScope } from '../usecases/context';
import type { ChangeFeed } from '../live/change-feed';

export interface RequestContext {
  db: Db;
  log: Logger;
  /** The raw bearer token of the request, if any (never logged). */
  bearerToken: string | null;
  /** `bearerTokenKey(bearerToken)`, when the HTTP request has computed it already. */
  bearerTokenKey?: string | undefined;
  /**
   * Memo of the token lookup for this HTTP request: a batch of calls shares
   * one context, so it authenticates once.
   */
  authentication?: Promise<Awaited<ReturnType<typeof authenticate>>>;
  /** The process's change feed; absent for in-process callers without one. */
  feed?: ChangeFeed | undefined;
  /** Called after a mutation committed: sequence its events, drain its pushes. */
  afterMutation?: (() => void) | undefined;
  /** The HTTP server's per-tenant rate limit (http/request-limits.ts); in-process callers have none. */
  rateLimits?: { admitTenant(tenantId: string): void } | undefined;
}

interface FieldProblem {
  path: string;
  message: string;
}

/** Problems listed in a refusal's message and data; the rest are counted (a hostile input may have thousands). */
const fieldProblemsShown = 20;
/** A hostile key may be a megabyte long: a path names it by its start, never echoes it whole. */
const pathSegment = (key: PropertyKey) => {
  const text = String(key);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** The field paths a validation failure names, from zod's issues. */
function fieldProblems(cause: unknown): FieldProblem[] | undefined {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  const problems = issues.flatMap((issue: { code?: string; path?: readonly PropertyKey[]; message?: string; keys?: readonly string[] }) => {
    const path = (issue.path ?? []).map(pathSegment);
    // Each unknown key is named by itself, not by the object that holds it (zod's message would repeat it).
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) return issue.keys.map((key) => ({ path: [...path, pathSegment(key)].join('.'), message: 'is not a field of this input' }));
    return [{ path: path.join('.') || '(input)', message: issue.message ?? 'is invalid' }];
  });
  if (problems.length <= fieldProblemsShown) return problems;
  return [...problems.slice(0, fieldProblemsShown), { path: '(input)', message: `and ${problems.length - fieldProblemsShown} more problems` }];
}

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    const fields = fieldProblems(error.cause);
    const appError = error.cause instanceof AppError ? error.cause : undefined;
    const bodyProblem = requestBodyProblem(error);
    return {
      ...shape,
      // An internal error's own message (a driver's, a stack's) stays in the server's log.
      message: bodyProblem?.message ?? (error.code === 'INTERNAL_SERVER_ERROR' ? 'internal error (logged on the server)' : shape.message),
      data: {
        ...shape.data,
        // Stack traces stay in the server's log, never in a response.
        stack: undefined,
        fields: fields ?? bodyProblem?.fields ?? (appError?.details.field ? [{ path: appError.details.field, message: appError.message }] : undefined),
        rule: appError?.details.rule,
        // Also in the Retry-After header; here per call, for a batch whose calls fared differently.
        retryAfterSeconds: retryAfterSecondsOf(error),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Turns the use-cases' AppErrors into the API's error codes, and input
 * validation failures into a message that names each failing field (for
 * in-process callers too, not only in the HTTP error shape).
 *
 * Row-level security (db/scope.ts): a procedure reads nothing until it says
 * whose rows it works on (the seller's tenant, or the platform for admin
 * procedures and the token lookup); until then it runs in no scope.
 *
 * One middleware, not two: tRPC copies the context at every level, a
 * measurable share of a small call's CPU.
 */
const appErrorsInNoScope = t.middleware(({ next, type }) =>
  withScope(noScope, async () => {
    let result = await next();
    // A read whose database connection was cut wrote nothing: it runs once
    // more, on another connection. (Writes retry inside their transaction.)
    if (!result.ok && type === 'query' && isConnectionLost(result.error.cause)) result = await next();
    if (result.ok) return result;
    const cause = result.error.cause;
    if (cause instanceof AppError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
    // No free database connection (outside a use-case's transaction too, e.g. the token lookup): overload, not a bug.
    // PostgreSQL at max_connections (53300) is the same overload, one level down.
    if (isPoolExhausted(cause) || (cause as { code?: unknown } | undefined)?.code === '53300') {
      throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'the server is busy; retry later', cause });
    }
    // Cut again, or a write's token lookup cut: nothing was written, the
    // client's next try gets another connection.
    if (isConnectionLost(cause)) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'the database connection was lost; retry', cause });
    const fields = result.error.code === 'BAD_REQUEST' ? fieldProblems(cause) : undefined;
    if (fields) throw new TRPCError({ code: 'BAD_REQUEST', message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), cause });
    return result;
  }),
);

export const publicProcedure = t.procedure.use(appErrorsInNoScope);

/** The request's token, looked up once per HTTP request (a batch shares one context); refused when missing or not valid. */
async function authenticatedToken(ctx: RequestContext) {
  if (!ctx.bearerToken) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing bearer token (Authorization: Bearer <token>)' });
  ctx.authentication ??= authenticateCached(ctx.db, ctx.bearerToken, ctx.bearerTokenKey);
  const token = await ctx.authentication.catch((error: unknown) => {
    // A failed lookup (a lost connection) is not remembered for a retry.
    ctx.authentication = undefined;
    throw error;
  });
  if (!token) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'the token is not valid (unknown, revoked, or its tenant is suspended)' });
  // Every call counts against its tenant, whichever of the tenant's tokens sent it.
  if (token.tenantId) ctx.rateLimits?.admitTenant(token.tenantId);
  return token;
}

/**
 * A seller acting on their own tenant: every seller procedure gets `scope`.
 * After a mutation commits, the change feed is told so its events are
 * sequenced and reach subscribers at once.
 */
export const sellerProcedure = publicProcedure.use(async ({ ctx, next, type }) => {
  const token = await authenticatedToken(ctx);
  if (token.role !== 'seller' || !token.tenantId) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'this procedure needs a seller token; admin tokens act on admin.* only' });
  }
  const scope: TenantScope = { db: ctx.db, tenantId: token.tenantId, actor: `token:${token.label}` };
  const result = await withScope(tenantScope(scope.tenantId), () => next({ ctx: { token, scope, tenantName: token.tenantName ?? '' } }));
  if (type === 'mutation' && result.ok) ctx.afterMutation?.();
  return result;
});

export const adminProcedure = publicProcedure.use(async ({ ctx, next, type }) => {
  const token = await authenticatedToken(ctx);
  if (token.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'this procedure needs an admin token' });
  const result = await withScope(platformScope, () => next({ ctx: { token, actor: `admin:${token.label}` } }));
  // A revoked token or suspended tenant is refused from the next request on,
  // in this process and (by notification) in every other one.
  if (type === 'mutation' && result.ok) {
    forgetTokens(ctx.db);
    await ctx.feed?.authChanged();
  }
  return result;
});
