import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { TRPCError } from '@trpc/server';
import type { TRPCRequestInfo } from '@trpc/server/http';
import { createLeanTrpcHandler } from './lean-trpc-handler';
import { GracefulClose } from './graceful-close';
import type { Logger } from 'pino';
import { openDatabase, type DatabaseKind } from '../db/connect';
import type { Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { noScope, platformScope, withScope } from '../db/scope';
import { createLogger } from '../logger';
import { seedDemoIfEmpty, type DemoTenant } from '../seed/demo';
import { ensureAdminToken } from '../usecases/admin';
import { appRouter } from '../trpc/router';
import { ChangeFeed } from '../live/change-feed';
import { receiveSimulatorNotification } from '../marketplace/simulator-receiver';
import { PushDrainer } from '../outbox/drainer';
import { StatisticsKeeper } from '../db/statistics-keeper';
import type { ConnectorLookup } from '../outbox/drainer';
import { handleAdminHttp } from '../usecases/admin-http';
import { httpMetrics } from '../usecases/admin-metrics';
import { bearerTokenKey } from '../usecases/token-cache';
import { maxBodyBytes, RequestLimits, requestLimitsFromEnv, retryAfterSecondsOf, type RequestLimitOptions } from './request-limits';

export { maxBodyBytes } from './request-limits';

export interface StartServerOptions {
  port?: number;
  host?: string;
  /** PostgreSQL; without it the embedded PGlite database in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; a fresh temporary one when omitted. */
  dataDir?: string | undefined;
  /** PGlite only: start a new data directory from this dump (tests clone a migrated template). */
  pgliteTemplate?: Blob | undefined;
  /** PostgreSQL only: connections in the pool (default 20). */
  databasePoolSize?: number | undefined;
  /**
   * Rate and batch limits (see http/request-limits.ts); unset ones come from
   * the environment (ONHAND_TOKEN_CALLS_PER_SECOND, …), then the defaults.
   */
  requestLimits?: Partial<RequestLimitOptions> | undefined;
  seedDemo?: boolean;
  adminToken?: string | undefined;
  logLevel?: string;
  logger?: Logger;
  /** The connector that pushes published quantities to each marketplace; none means pushes wait. */
  connectorFor?: ConnectorLookup;
  /**
   * 'standalone': every tRPC request through the tRPC package's own handler,
   * none through the lean one (tests compare their answers). Default 'lean'.
   */
  trpcHandler?: 'lean' | 'standalone';
  /** Accept order notifications from the marketplace simulator at POST /webhooks/simulator with this bearer secret. */
  simulatorWebhookSecret?: string | undefined;
}

export interface RunningServer {
  url: string;
  port: number;
  db: Db;
  databaseKind: DatabaseKind;
  databaseLocation: string;
  demo: DemoTenant | undefined;
  log: Logger;
  feed: ChangeFeed;
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(options.logLevel);
  // Without a data directory the embedded database lives in a temporary one,
  // deleted again on close.
  const temporaryDir = options.databaseUrl || options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'onhand-'));
  const dataDir = options.databaseUrl ? undefined : (options.dataDir ?? join(temporaryDir!, 'data'));
  const removeTemporaryDir = () => {
    if (temporaryDir) rmSync(temporaryDir, { recursive: true, force: true });
  };
  const limits = new RequestLimits({ ...requestLimitsFromEnv(), ...options.requestLimits });
  const database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir, poolSize: options.databasePoolSize, pgliteTemplate: options.pgliteTemplate });
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    // Start-up work is the platform's (row-level security, db/scope.ts).
    const demo = await withScope(platformScope, async () => {
      if (options.adminToken) await ensureAdminToken(database.db, options.adminToken, 'bootstrap (ONHAND_ADMIN_TOKEN)');
      return options.seedDemo ? await seedDemoIfEmpty(database.db) : undefined;
    });
    const feed = new ChangeFeed(database.db, database.listen, log);
    await feed.start();
    feed.changed();
    const statistics = new StatisticsKeeper(database.db, log, database.kind === 'pglite');
    statistics.start();
    const drainer = new PushDrainer(database.db, options.connectorFor ?? (() => undefined), log, { onChanged: () => feed.changed() });
    if (options.connectorFor) drainer.start();

    const trpcOptions = {
      router: appRouter,
      basePath: '/trpc/',
      maxBodySize: maxBodyBytes,
      // A 500-row page lookup does not fit in a URL: clients send queries as
      // POST (httpBatchLink's methodOverride) and the body limit applies.
      allowMethodOverride: true,
      createContext: ({ req, info }: { req: IncomingMessage; info: TRPCRequestInfo }) => {
        // Checked before any call runs or touches the database: too many
        // calls in one request, or a token over its rate, is refused here.
        if (graceful.closing) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the server is shutting down; retry (with the same idempotencyKey)' });
        limits.checkBatch(info.calls.length);
        // EventSource cannot send headers: subscriptions may pass the token as a connection parameter.
        const bearerToken = bearerTokenOf(req) ?? tokenParam(info.connectionParams);
        // Hashed once per request: the rate bucket and the token cache both know it by this key.
        const tokenKey = bearerToken ? bearerTokenKey(bearerToken) : undefined;
        if (bearerToken) limits.admitToken(bearerToken, info.calls.length, tokenKey);
        return {
          db: database.db,
          log,
          feed,
          afterMutation: () => {
            feed.changed();
            // Without a connector, pushes wait in the outbox (not marked failed).
            if (options.connectorFor) drainer.wake();
          },
          bearerToken,
          bearerTokenKey: tokenKey,
          rateLimits: limits,
        };
      },
      // Every refusal for being busy or over a rate says when to come back.
      responseMeta: ({ errors }: { errors: TRPCError[] }) => {
        const retryAfterSeconds = Math.max(0, ...errors.map((error) => retryAfterSecondsOf(error) ?? (error.code === 'SERVICE_UNAVAILABLE' ? 1 : 0)));
        return retryAfterSeconds > 0 ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {};
      },
      onError: ({ error, path }: { error: TRPCError; path: string | undefined }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'internal error');
      },
    };
    // Plain queries and mutations are answered from Node's request directly
    // (http/lean-trpc-handler.ts); the rest by tRPC's standalone handler.
    const standaloneHandler = createHTTPHandler(trpcOptions);
    const trpcHandler =
      options.trpcHandler === 'standalone'
        ? standaloneHandler
        : createLeanTrpcHandler({ ...trpcOptions, fallback: standaloneHandler, logFailure: (error) => log.error({ err: error }, 'internal error in the tRPC handler') });
    // A request reads nothing until it says whose rows it works on: tRPC
    // procedures set the seller's tenant or the platform; the webhook (checked
    // by its secret) and the admin routes (checked by their token) are the
    // platform's.
    const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => withScope(noScope, () => handleRequest(req, res)));
    const graceful = new GracefulClose(server, (req) => req.url?.startsWith('/trpc/changes.subscribe') ?? false);
    const handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
      graceful.track(req, res);
      if (graceful.closing && !req.url?.startsWith('/trpc/')) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: 'the server is shutting down; retry' }));
        return;
      }
      const started = process.hrtime.bigint();
      res.once('finish', () => httpMetrics.record(res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
      if (req.url?.startsWith('/trpc/')) {
        trpcHandler(req, res);
        return;
      }
      if (req.method === 'POST' && req.url === '/webhooks/simulator' && options.simulatorWebhookSecret) {
        const secret = options.simulatorWebhookSecret;
        withScope(platformScope, () => receiveSimulatorNotification(database.db, secret, req, res, () => {
          feed.changed();
          if (options.connectorFor) drainer.wake();
        })).catch((error: unknown) => {
          log.error({ err: error }, 'simulator notification failed');
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'try again' }));
        });
        return;
      }
      // /healthz, /metrics and the streamed ledger export.
      withScope(platformScope, () => handleAdminHttp(req, res, { db: database.db, log, subscribers: () => feed.subscriberCount, bearerToken: bearerTokenOf(req) })).then(
        (handled) => {
          if (!handled) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found: the API is at /trpc' }));
        },
        (error: unknown) => {
          log.error({ err: error, url: req.url }, 'internal error');
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
          else res.destroy();
        },
      );
    };
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      port,
      db: database.db,
      databaseKind: database.kind,
      databaseLocation: database.location,
      demo,
      log,
      feed,
      close: () =>
        (closing ??= (async () => {
          // In-flight requests are answered (each closing its connection),
          // later ones declined, live streams cut (graceful-close.ts); then
          // background work stops and the database closes.
          await graceful.close();
          await drainer.stop();
          await statistics.stop();
          await feed.stop();
          await database.close();
          removeTemporaryDir();
        })()),
    };
  } catch (error) {
    await database.close();
    removeTemporaryDir();
    throw error;
  }
}

function tokenParam(params: Record<string, string | undefined> | null | undefined): string | null {
  const token = params?.token;
  return typeof token === 'string' && token.length > 0 ? token : null;
}

function bearerTokenOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}
