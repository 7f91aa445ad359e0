import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';

/**
 * Whose rows a piece of work may see, enforced by PostgreSQL row-level
 * security (migration 0006):
 * - `tenant`: a seller's request: that tenant's rows only;
 * - `platform`: admin procedures, token lookup, background workers: all rows;
 * - `none`: nothing (the default of a server: work that forgot to say whose
 *   it is reads empty tables instead of everyone's rows);
 * - `owner`: migrations, as the role that owns the tables.
 */
export type DbScope = { kind: 'tenant'; tenantId: string } | { kind: 'platform' } | { kind: 'none' } | { kind: 'owner' };

export const platformScope: DbScope = { kind: 'platform' };
export const noScope: DbScope = { kind: 'none' };
export const ownerScope: DbScope = { kind: 'owner' };
export const tenantScope = (tenantId: string): DbScope => ({ kind: 'tenant', tenantId });

/** The role the server works as; it owns no table (see migration 0006). */
export const applicationRole = 'onhand_app';

const scopes = new AsyncLocalStorage<DbScope>();

/** Runs `work` (and everything it awaits or schedules) in `scope`. */
export function withScope<T>(scope: DbScope, work: () => T): T {
  return scopes.run(scope, work);
}

export function currentScope(): DbScope | undefined {
  return scopes.getStore();
}

function settingsOf(scope: DbScope): [role: string, tenantId: string, platform: string] {
  switch (scope.kind) {
    case 'tenant':
      return [applicationRole, scope.tenantId, ''];
    case 'platform':
      return [applicationRole, '', 'on'];
    case 'none':
      return [applicationRole, '', ''];
    case 'owner':
      return ['none', '', ''];
  }
}

/**
 * Wraps a dialect so that every connection, when taken from the pool, works
 * in the scope of the code that took it (the AsyncLocalStorage scope, or the
 * database's default). The settings are session-level and cached per
 * connection, so a connection that stays with one tenant costs nothing extra;
 * a switch costs one round trip, before any transaction begins.
 */
export class ScopedDialect implements Dialect {
  /**
   * `platformInner`: a second connection pool for platform and owner work
   * (background passes, admin, token lookups), so that tenant connections
   * are not switched to the platform and back between two requests.
   */
  constructor(
    private readonly inner: Dialect,
    private readonly defaultScope: DbScope,
    private readonly platformInner?: Dialect,
  ) {}

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  createDriver(): Driver {
    return new ScopedDriver(this.inner.createDriver(), this.defaultScope, this.platformInner?.createDriver());
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

class ScopedDriver implements Driver {
  /** The settings each live connection was last given (key of settingsOf). */
  private readonly applied = new WeakMap<DatabaseConnection, string>();
  /** The pool (driver) each connection came from. */
  private readonly driverOf = new WeakMap<DatabaseConnection, Driver>();

  constructor(
    private readonly inner: Driver,
    private readonly defaultScope: DbScope,
    private readonly platformInner: Driver | undefined,
  ) {
    // Savepoints are optional in the driver interface: offer them only when
    // the wrapped driver has them (both pools use the same kind of driver).
    if (inner.savepoint) this.savepoint = (connection, ...rest) => this.owner(connection).savepoint!(connection, ...rest);
    if (inner.rollbackToSavepoint) this.rollbackToSavepoint = (connection, ...rest) => this.owner(connection).rollbackToSavepoint!(connection, ...rest);
    if (inner.releaseSavepoint) this.releaseSavepoint = (connection, ...rest) => this.owner(connection).releaseSavepoint!(connection, ...rest);
  }

  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  private owner(connection: DatabaseConnection): Driver {
    return this.driverOf.get(connection) ?? this.inner;
  }

  async init(): Promise<void> {
    await this.inner.init();
    await this.platformInner?.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const scope = currentScope() ?? this.defaultScope;
    const driver = this.platformInner && (scope.kind === 'platform' || scope.kind === 'owner') ? this.platformInner : this.inner;
    const connection = await driver.acquireConnection();
    this.driverOf.set(connection, driver);
    const settings = settingsOf(scope);
    const key = settings.join('\u0000');
    if (this.applied.get(connection) === key) return connection;
    try {
      await connection.executeQuery(
        CompiledQuery.raw(
          "select set_config('role', $1, false), set_config('onhand.tenant_id', $2, false), set_config('onhand.platform', $3, false)",
          settings,
        ),
      );
    } catch (error) {
      this.applied.delete(connection);
      await driver.releaseConnection(connection);
      throw error;
    }
    this.applied.set(connection, key);
    return connection;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.owner(connection).beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.owner(connection).commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.owner(connection).rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.owner(connection).releaseConnection(connection);
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
    await this.platformInner?.destroy();
  }
}
