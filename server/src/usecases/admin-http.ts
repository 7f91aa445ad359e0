import type { IncomingMessage, ServerResponse } from 'node:http';
import { ledgerExportPath, ledgerExportQuery } from '@onhand/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { findTenant } from '../db/repositories/tenants';
import { authenticate } from './admin';
import { ledgerEntries } from './admin-ledger';
import { metricsSnapshot, prometheusText } from './admin-metrics';

export interface AdminHttpContext {
  db: Db;
  log: Logger;
  subscribers: () => number;
  bearerToken: string | null;
  /**
   * Serve /metrics without a token. Off unless the server is started with
   * it (ONHAND_METRICS_PUBLIC=true when the option is not given): the figures
   * name no tenant, but they describe the whole installation.
   */
  metricsPublic?: boolean | undefined;
}

/** The opt-out from /metrics authentication, as the environment gives it. */
export const metricsPublicFromEnv = (env: NodeJS.ProcessEnv = process.env): boolean => env.ONHAND_METRICS_PUBLIC === 'true';

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/**
 * The plain HTTP routes beside /trpc: `/healthz`, `/metrics` (Prometheus
 * text) and the streamed ledger export. Returns false for any other path.
 */
export async function handleAdminHttp(req: IncomingMessage, res: ServerResponse, ctx: AdminHttpContext): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    try {
      await ctx.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      json(res, 200, { ok: true });
    } catch (error) {
      ctx.log.warn({ err: error }, 'health check failed');
      json(res, 503, { ok: false, error: 'database unreachable' });
    }
    return true;
  }
  if (url.pathname === '/metrics') {
    if (!(ctx.metricsPublic ?? metricsPublicFromEnv()) && !(await requireAdmin(res, ctx, '/metrics'))) return true;
    const text = prometheusText(await metricsSnapshot(ctx.db, ctx.subscribers()));
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
    return true;
  }
  if (url.pathname === ledgerExportPath) {
    await exportLedger(res, url, ctx);
    return true;
  }
  return false;
}

/** True for an admin bearer token; otherwise answers 401 (none, or not valid) or 403 (not admin) and returns false. */
async function requireAdmin(res: ServerResponse, ctx: AdminHttpContext, what: string): Promise<boolean> {
  if (!ctx.bearerToken) {
    res.setHeader('www-authenticate', 'Bearer');
    json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'missing bearer token (Authorization: Bearer <token>)' } });
    return false;
  }
  const token = await authenticate(ctx.db, ctx.bearerToken);
  if (!token) {
    res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'the token is not valid' } });
    return false;
  }
  if (token.role !== 'admin') {
    json(res, 403, { error: { code: 'FORBIDDEN', message: `${what} needs an admin token` } });
    return false;
  }
  return true;
}

/**
 * GET /admin/ledger.jsonl?tenantId=&from=&to= with an admin token: one JSON
 * object per line, written page by page with backpressure. A failure after
 * the first byte cuts the connection, so a client never mistakes a partial
 * export for a whole one.
 */
async function exportLedger(res: ServerResponse, url: URL, ctx: AdminHttpContext): Promise<void> {
  if (!(await requireAdmin(res, ctx, 'the ledger export'))) return;
  const parsed = ledgerExportQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: [...i.path, ...('keys' in i ? i.keys : [])].join('.') || '(query)', message: i.message }));
    return json(res, 400, { error: { code: 'BAD_REQUEST', message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields } });
  }
  const { tenantId, from, to } = parsed.data;
  if (!(await findTenant(ctx.db, tenantId))) return json(res, 404, { error: { code: 'NOT_FOUND', message: 'tenantId: tenant not found' } });
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  let clientGone = false;
  res.once('close', () => {
    clientGone = !res.writableFinished;
  });
  try {
    for await (const page of ledgerEntries(ctx.db, { tenantId, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined })) {
      if (clientGone) return;
      const chunk = page.map((e) => JSON.stringify(e)).join('\n') + '\n';
      if (!res.write(chunk)) await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    res.end();
  } catch (error) {
    ctx.log.error({ err: error }, 'ledger export failed');
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
