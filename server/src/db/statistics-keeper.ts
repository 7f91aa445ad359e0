import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from './database';
import { ownerScope, withScope } from './scope';

/**
 * Keeps the planner's statistics of onhand's tables current where nothing
 * else does: the embedded database has no autovacuum, and a PostgreSQL may
 * run with it off. Without statistics the planner takes a table that grew
 * from empty for a tiny one and scans it whole on every order (a young
 * tenant's hot paths slowed 3× that way). Every `intervalMs` it analyzes
 * the tables changed by more than autovacuum's default threshold (50 rows +
 * 10% of the table) since their last analyze; where autovacuum runs, it
 * does nothing.
 */
export class StatisticsKeeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private enabled: boolean | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    /** The embedded database says autovacuum is on but runs none (one process, no launcher). */
    private readonly embedded: boolean,
    private readonly intervalMs = 5_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.pass(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass (also what tests call): the tables it analyzed. */
  pass(): Promise<string[]> {
    if (this.running) return this.running.then(() => []);
    const work = withScope(ownerScope, () => this.analyzeStale()).catch((error: unknown) => {
      this.log.warn({ err: error }, 'statistics pass failed');
      return [] as string[];
    });
    this.running = work.then(() => undefined).finally(() => (this.running = undefined));
    return work;
  }

  private async analyzeStale(): Promise<string[]> {
    this.enabled ??= this.embedded || (await sql<{ autovacuum: string }>`select current_setting('autovacuum') as autovacuum`.execute(this.db)).rows[0]?.autovacuum !== 'on';
    if (!this.enabled) return [];
    const stale = await sql<{ relname: string }>`
      select relname from pg_stat_user_tables
      where schemaname = current_schema() and n_mod_since_analyze > 50 + 0.1 * n_live_tup
      order by relname
    `.execute(this.db);
    const analyzed: string[] = [];
    for (const { relname } of stale.rows) {
      if (this.stopped) break;
      await sql`analyze ${sql.table(relname)}`.execute(this.db);
      analyzed.push(relname);
    }
    if (analyzed.length > 0) this.log.debug({ analyzed }, 'statistics refreshed');
    return analyzed;
  }
}
