import { initTRPC, TRPCError } from '@trpc/server';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { AppError } from '../errors';
import { authenticate } from '../usecases/admin';
import type { TenantScope } from '../usecases/context';
import type { ChangeFeed } from '../live/change-feed';

export interface RequestContext {
  db: Db;
  log: Logger;
  /** The raw bearer token of the request, if any (never logged). */
  bearerToken: string | null;
  /**
   * Memo of the token lookup for this HTTP request: a batch of calls shares
   * one context, so it authenticates once.
   */
  authentication?: Promise<Awaited<ReturnType<typeof authenticate>>>;
  /** The process's change feed; absent for in-process callers without one. */
  feed?: ChangeFeed | undefined;
  /** Called after a mutation committed: sequence its events, drain its pushes. */
  afterMutation?: (() => void) | undefined;
}

interface FieldProblem {
  path: string;
  message: string;
}

/** The field paths a validation failure names, from zod's issues. */
function fieldProblems(cause: unknown): FieldProblem[] | undefined {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((issue: { path?: readonly PropertyKey[]; message?: string; keys?: readonly string[] }) => {
    // An unknown key is named by itself, not by the object that holds it.
    const path = [...(issue.path ?? []), ...(issue.keys ?? [])].map((p) => String(p)).join('.');
    return { path: path || '(input)', message: issue.message ?? 'is invalid' };
  });
}

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    const fields = fieldProblems(error.cause);
    const appError = error.cause instanceof AppError ? error.cause : undefined;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Stack traces stay in the server's log, never in a response.
        stack: undefined,
        fields: fields ?? (appError?.details.field ? [{ path: appError.details.field, message: appError.message }] : undefined),
        rule: appError?.details.rule,
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
 */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof AppError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
  const fields = result.error.code === 'BAD_REQUEST' ? fieldProblems(cause) : undefined;
  if (fields) throw new TRPCError({ code: 'BAD_REQUEST', message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), cause });
  return result;
});

export const publicProcedure = t.procedure.use(appErrors);

const authenticated = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.bearerToken) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing bearer token (Authorization: Bearer <token>)' });
  ctx.authentication ??= authenticate(ctx.db, ctx.bearerToken);
  const token = await ctx.authentication;
  if (!token) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'the token is not valid (unknown, revoked, or its tenant is suspended)' });
  return next({ ctx: { token } });
});

/**
 * A seller acting on their own tenant: every seller procedure gets `scope`.
 * After a mutation commits, the change feed is told so its events are
 * sequenced and reach subscribers at once.
 */
export const sellerProcedure = authenticated.use(async ({ ctx, next, type }) => {
  if (ctx.token.role !== 'seller' || !ctx.token.tenantId) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'this procedure needs a seller token; admin tokens act on admin.* only' });
  }
  const scope: TenantScope = { db: ctx.db, tenantId: ctx.token.tenantId, actor: `token:${ctx.token.label}` };
  const result = await next({ ctx: { scope, tenantName: ctx.token.tenantName ?? '' } });
  if (type === 'mutation' && result.ok) ctx.afterMutation?.();
  return result;
});

export const adminProcedure = authenticated.use(async ({ ctx, next }) => {
  if (ctx.token.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'this procedure needs an admin token' });
  return next({ ctx: { actor: `admin:${ctx.token.label}` } });
});
