import pg from 'pg';
import { harnessClient } from './run-settings';
import { sleep } from './server-process';

export interface CutFigures {
  /** Server connections terminated (pg_terminate_backend returned true). */
  cut: number;
  /** Of those, connections running a request's COMMIT (inside the slowed commit, see slowDownCommits). */
  duringRequestCommit: number;
  /** Of those, connections running another COMMIT (the change feed's, the outbox's). */
  duringOtherCommit: number;
  /** Of those, connections in the middle of a transaction, between two statements. */
  midTransaction: number;
  windows: number;
}

type Mode = 'one' | 'all' | 'mid-transaction' | 'commits';

/**
 * Terminates the server's PostgreSQL connections from the database side
 * (pg_terminate_backend, as a failover, an admin or a crashed pooler would),
 * through its own connection to the cluster. Each window does one of: cut one
 * random connection; cut all of them; or, for a while, in a tight loop, cut
 * every connection seen between two statements of a transaction, or every
 * one seen running COMMIT.
 */
export class ConnectionCutter {
  readonly figures: CutFigures = { cut: 0, duringRequestCommit: 0, duringOtherCommit: 0, midTransaction: 0, windows: 0 };
  #client: pg.Client;

  private constructor(
    client: pg.Client,
    private readonly databaseName: string,
  ) {
    this.#client = client;
  }

  /** `clusterUrl`: any database of the cluster except the server's own (the cutter must not count itself). */
  static async open(clusterUrl: string, serverDatabaseUrl: string): Promise<ConnectionCutter> {
    const client = await harnessClient(clusterUrl);
    return new ConnectionCutter(client, new URL(serverDatabaseUrl).pathname.slice(1));
  }

  async window(random: () => number, hammerMs: number): Promise<void> {
    const roll = random();
    const mode: Mode = roll < 0.2 ? 'one' : roll < 0.35 ? 'all' : roll < 0.6 ? 'mid-transaction' : 'commits';
    this.figures.windows += 1;
    if (mode === 'one') await this.#cut('true', 1);
    else if (mode === 'all') await this.#cut('true');
    else {
      const condition = mode === 'commits' ? `state = 'active' and query ilike 'commit%'` : `state = 'idle in transaction'`;
      const until = Date.now() + hammerMs;
      while (Date.now() < until) await this.#cut(condition);
    }
  }

  async #cut(condition: string, limit?: number): Promise<void> {
    const { rows } = await this.#client.query<{ query: string; state: string; wait_event: string | null; xact_start: Date | null; cut: boolean }>(
      `select query, state, wait_event, xact_start, pg_terminate_backend(pid) as cut
         from (select pid, query, state, wait_event, xact_start from pg_stat_activity
                where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid() and ${condition}
                order by random() ${limit ? `limit ${limit}` : ''}) chosen`,
      [this.databaseName],
    );
    for (const row of rows) {
      if (!row.cut) continue;
      this.figures.cut += 1;
      const inCommit = row.state === 'active' && /^\s*commit/i.test(row.query);
      if (inCommit && row.wait_event === 'PgSleep') this.figures.duringRequestCommit += 1;
      else if (inCommit) this.figures.duringOtherCommit += 1;
      else if (row.xact_start !== null) this.figures.midTransaction += 1;
    }
  }

  /**
   * A deterministic cut: holds an ACCESS EXCLUSIVE lock on `table` (from a
   * session of its own on the server's database) while `request` runs, cuts
   * every server connection that waits for the lock, then lets go. Returns
   * how the request ended and how many connections were cut.
   */
  async cutWhileWaitingOn<T>(serverDatabaseUrl: string, table: string, request: () => Promise<T>): Promise<{ outcome: PromiseSettledResult<T>; cut: number }> {
    const locker = await harnessClient(serverDatabaseUrl);
    let cut = 0;
    try {
      await locker.query('begin');
      await locker.query(`lock table ${pg.escapeIdentifier(table)} in access exclusive mode`);
      const settled = request().then(
        (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
      );
      const deadline = Date.now() + 60_000;
      while (cut === 0) {
        if (Date.now() > deadline) throw new Error(`no server connection waited for the lock on ${table}`);
        const { rows } = await this.#client.query<{ cut: boolean }>(
          `select pg_terminate_backend(pid) as cut from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
          [this.databaseName],
        );
        cut += rows.filter((r) => r.cut).length;
        if (cut === 0) await sleep(10);
      }
      this.figures.cut += cut;
      await locker.query('commit');
      return { outcome: await settled, cut };
    } finally {
      await locker.end();
    }
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}

/**
 * Makes every request's COMMIT take a little longer (a deferred trigger on
 * the idempotency keys, orders and tombstones sleeps 15 ms at commit, as
 * waiting for a synchronous standby would), so that connections can be cut
 * in the middle of COMMIT, not only between statements. Test fixture: run as
 * the owner on the test's own database.
 */
export async function slowDownCommits(databaseUrl: string): Promise<void> {
  const client = await harnessClient(databaseUrl);
  try {
    await client.query(`create function fault_slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(0.015); return null; end $$`);
    for (const table of ['idempotency_keys', 'orders', 'order_tombstones']) {
      await client.query(`create constraint trigger fault_slow_commit after insert on ${table} deferrable initially deferred for each row execute function fault_slow_commit()`);
    }
  } finally {
    await client.end();
  }
}

/** Runs a cut window at each point of `points` (events acknowledged so far), after a random extra delay. */
export async function cutAtPoints(cutter: ConnectionCutter, points: readonly number[], progress: () => number, done: () => boolean, random: () => number): Promise<void> {
  for (const point of points) {
    while (progress() < point && !done()) await sleep(10);
    if (done()) return;
    await sleep(random() * 100);
    await cutter.window(random, 300 + random() * 700);
  }
}
