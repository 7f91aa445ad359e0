import { mkdirSync, openSync, readdirSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Db } from './database';
import { ScopedDialect, noScope, type DbScope } from './scope';
import { isConnectionLost } from './connection-lost';

export type DatabaseKind = 'postgres' | 'pglite';

export interface OpenedDatabase {
  db: Db;
  kind: DatabaseKind;
  /** Where the data lives, for logs (password stripped). */
  location: string;
  /**
   * LISTEN on a channel (a dedicated connection on PostgreSQL, PGlite's own
   * listener when embedded). Returns the way to stop listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number | undefined;
  /** PGlite only: start from this dumped data directory (tests clone a template). */
  pgliteTemplate?: Blob | undefined;
  /** PGlite only: keep the data in memory (tests). */
  inMemory?: boolean | undefined;
  /**
   * The row-level-security scope of work that does not say whose it is
   * (see db/scope.ts). A server keeps `none`: such work reads nothing.
   */
  defaultScope?: DbScope | undefined;
}

// node-pg returns int8 as string; every int8 here (quantities, ledger ids)
// fits a double, so parse once at the driver for both drivers to agree.
const int8Parser = (value: string) => Number(value);

export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const defaultScope = options.defaultScope ?? noScope;
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 20, defaultScope);
  if (options.inMemory) return openPgliteInMemory(options.pgliteTemplate, defaultScope);
  if (!options.dataDir) throw new Error('openDatabase needs databaseUrl or dataDir');
  return openPglite(options.dataDir, options.pgliteTemplate, defaultScope);
}

/** Connections kept apart for platform work (background passes, admin, token lookups). */
const platformPoolSize = 4;

function openPostgres(databaseUrl: string, poolSize: number, defaultScope: DbScope): OpenedDatabase {
  // Tenant work and platform work draw from separate pools, so a tenant's
  // connection keeps its tenant setting from one request to the next.
  const db = new Kysely<Database>({
    dialect: new ScopedDialect(new PostgresDialect({ pool: newPool(databaseUrl, poolSize) }), defaultScope, new PostgresDialect({ pool: newPool(databaseUrl, platformPoolSize) })),
  });
  const url = new URL(databaseUrl);
  url.password = '';
  return { db, kind: 'postgres', location: url.toString(), listen: (channel, onNotify) => listenPostgres(databaseUrl, channel, onNotify), close: () => db.destroy() };
}

function newPool(databaseUrl: string, poolSize: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    // A request must not wait forever for a connection under overload.
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? int8Parser : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => wrapQueries(client, { prepare: process.env.ONHAND_PREPARED_STATEMENTS !== 'off' }));
  // Nor a checked-out one between two queries (pg_terminate_backend, a
  // failover): pg emits 'error' on the client, unhandled it kills the
  // process; handled, the next query fails and the transaction is retried.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Distinct statements one connection keeps prepared; beyond it, statements are planned each time. */
const preparedPerConnectionMax = 1000;

/**
 * What every pooled connection's queries go through (Kysely calls
 * `query(text, values)`):
 * - `prepare`: every parameterised statement becomes a named prepared
 *   statement on its connection: PostgreSQL parses and plans the hot paths'
 *   CTEs once per connection instead of on every call (a sizeable share of
 *   the database's CPU per order). Names are a hash of the text, so the same
 *   statement reuses its plan; statements of a size-dependent shape (IN
 *   lists) stop being prepared once a connection holds
 *   `preparedPerConnectionMax` of them.
 * - A connection found lost under a query is ended at once, so the pool
 *   drops it on release instead of handing the dead connection to the retry.
 */
/**
 * Statement names by text, for the whole process: hashing a statement's
 * text (a few kilobytes for the batch writes) on every execution was a
 * measurable share of a small request's CPU; a map lookup is not. Bounded:
 * texts are the code's own statements, but a caller building texts with
 * values inside would otherwise grow it without end.
 */
const statementNames = new Map<string, string>();
const statementNamesMax = 5000;
function statementNameOf(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `onhand_${createHash('sha1').update(text).digest('base64url')}`;
    if (statementNames.size >= statementNamesMax) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

function wrapQueries(client: pg.PoolClient, options: { prepare: boolean }): void {
  const prepared = new Set<string>();
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const dropIfLost = (error: unknown) => {
    if (isConnectionLost(error)) client.end().catch(() => {});
    throw error;
  };
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || args.length !== 2) return query(...args);
    let config: unknown = text;
    if (options.prepare && values.length > 0) {
      const name = statementNameOf(text);
      if (prepared.has(name) || prepared.size < preparedPerConnectionMax) {
        prepared.add(name);
        config = { name, text, values };
      }
    }
    const pending = (config === text ? query(text, values) : query(config)) as Promise<unknown>;
    return pending.catch(dropIfLost);
  };
}

/**
 * A dedicated client for LISTEN (never a pooled one: the pool would hand the
 * session to others). A lost connection is re-opened with backoff; the
 * caller's periodic backfill covers notifications missed meanwhile.
 */
async function listenPostgres(databaseUrl: string, channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let retryMs = 100;
  // One reconnection at a time, however many errors a lost connection emits
  // (each used to start its own, and cut after cut they multiplied).
  const scheduleReconnect = () => {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().catch(() => scheduleReconnect());
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    const lost = () => {
      // Only the current connection's loss matters, and only once.
      if (client !== next) return;
      client = undefined;
      next.end().catch(() => {});
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', lost);
    try {
      await next.connect();
      await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      next.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    retryMs = 100;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(reconnectTimer);
    const current = client;
    client = undefined;
    await current?.end().catch(() => {});
  };
}

/**
 * PGlite keeps one data directory per process: a second process on the same
 * directory silently loses commits, so a lock file (holding our pid) guards it.
 */
async function openPgliteInMemory(template: Blob | undefined, defaultScope: DbScope): Promise<OpenedDatabase> {
  const pglite = await PGlite.create(template ? { loadDataDir: template } : {});
  const db = new Kysely<Database>({ dialect: new ScopedDialect(new PGliteDialect({ pglite }), defaultScope) });
  return { db, kind: 'pglite', location: 'memory', listen: (channel, onNotify) => pglite.listen(channel, onNotify), close: () => db.destroy() };
}

async function openPglite(dataDir: string, template: Blob | undefined, defaultScope: DbScope): Promise<OpenedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, '..', `${dataDir.split('/').filter(Boolean).pop()}.onhand-lock`);
  acquireLock(lockPath);
  try {
    const fresh = readdirSync(dataDir).length === 0;
    const pglite = await PGlite.create(template && fresh ? { dataDir, loadDataDir: template } : { dataDir });
    const db = new Kysely<Database>({ dialect: new ScopedDialect(new PGliteDialect({ pglite }), defaultScope) });
    return {
      db,
      kind: 'pglite',
      location: dataDir,
      listen: (channel, onNotify) => pglite.listen(channel, onNotify),
      close: async () => {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
        rmSync(lockPath, { force: true });
      },
    };
  } catch (error) {
    rmSync(lockPath, { force: true });
    throw error;
  }
}

function acquireLock(lockPath: string): void {
  try {
    const fd = openSync(lockPath, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(lockPath, 'utf8'));
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(`the embedded database is in use by process ${holder} (lock ${lockPath}); stop it first`);
  }
  // The holder is gone (it crashed): take the lock over.
  writeFileSync(lockPath, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
