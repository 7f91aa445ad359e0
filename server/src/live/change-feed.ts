import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { eventsAfter, latestSeq, sequenceEvents, type ChangeEvent } from '../db/repositories/events';
import { platformScope, tenantScope, withScope } from '../db/scope';
import { forgetTokens } from '../usecases/token-cache';
import { sql } from 'kysely';

export const sequencedChannel = 'onhand_sequenced';
/** On `sequencedChannel`: a token was revoked or a tenant suspended (never a seq). */
const authChangedPayload = 'auth';

type Listener = (event: ChangeEvent) => void;

/** A failed sequencing pass is retried this many times before the periodic backstop takes over. */
const passRetriesMax = 3;

/**
 * The live side of the change feed, one per server process.
 *
 * - Sequencing: after this process commits a change (`changed()`), and every
 *   `pollMs` as a backstop for other processes that crashed before doing it,
 *   a pass gives committed events their commit-order `seq` and NOTIFYs it.
 * - Fan-out: on that NOTIFY (from any process on the database) the feed
 *   reads the new events once and hands each to its tenant's subscribers.
 */
export class ChangeFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private watermark = '0';
  private sequencing: Promise<void> | undefined;
  private sequenceAgain = false;
  private fetching: Promise<void> | undefined;
  private fetchAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly listen: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>,
    private readonly log: Logger,
    private readonly pollMs = 1000,
    /**
     * Shortest time between two sequencing passes. Under load every commit
     * asks for a pass; spacing them keeps the feed's own statements a small
     * share of the database's work while staying far below the 100 ms a
     * subscriber may wait.
     */
    private readonly passIntervalMs = 15,
  ) {}

  // The feed works for every tenant (platform scope, whoever's request woke
  // it); a subscriber's backfill reads as that tenant.
  start(): Promise<void> {
    return withScope(platformScope, () => this.startInScope());
  }

  private async startInScope(): Promise<void> {
    this.watermark = await latestSeq(this.db);
    // One LISTEN connection per process: new events carry their seq, a
    // revocation the payload `authChangedPayload`.
    // A pass's own notification usually finds its events already read (the
    // pass fetches after it commits): nothing to ask the database then.
    // Passes commit in seq order, so a watermark at or past the notified seq
    // has read every event up to it.
    this.unlisten = await this.listen(sequencedChannel, (payload) => {
      if (payload === authChangedPayload) forgetTokens(this.db);
      else if (/^\d+$/.test(payload)) this.sequenced(payload);
      else this.fetch();
    });
    this.timer = setInterval(() => {
      this.changed();
      this.fetch();
    }, this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.();
    await Promise.allSettled([this.sequencing, this.fetching]);
  }

  /** Called after a commit that wrote events. Passes coalesce: never more than one running and one queued. */
  changed(): void {
    if (this.stopped) return;
    if (this.sequencing) {
      this.sequenceAgain = true;
      return;
    }
    this.sequencing = withScope(platformScope, async () => {
      let failures = 0;
      do {
        this.sequenceAgain = false;
        const started = Date.now();
        try {
          // One statement, its own transaction (migration 0008).
          const seq = await sequenceEvents(this.db, sequencedChannel);
          failures = 0;
          if (seq !== null) this.sequenced(seq);
        } catch (error) {
          // A lost connection or a deadlock: the pass runs again at once, a
          // few times (subscribers wait for it), then the backstop takes over.
          failures += 1;
          if (failures <= passRetriesMax) this.sequenceAgain = true;
          if (!this.stopped) this.log.warn({ err: error }, 'sequencing events failed; the pass is retried');
        }
        const wait = this.passIntervalMs - (Date.now() - started);
        if (wait > 0 && this.sequenceAgain) await new Promise((resolve) => setTimeout(resolve, wait));
      } while (this.sequenceAgain && !this.stopped);
      this.sequencing = undefined;
    });
  }

  /**
   * A pass (this process's, or another's by notification) committed every
   * event up to `seq`. Passes commit in seq order, so a watermark at or past
   * it has read them all. With no subscriber in this process there is
   * nothing to hand them to: the watermark moves without reading them (a
   * later subscriber's backlog is read from the database, not from here).
   */
  private sequenced(seq: string): void {
    if (BigInt(seq) <= BigInt(this.watermark)) return;
    if (this.listeners.size === 0 && !this.fetching) {
      this.watermark = seq;
      return;
    }
    this.fetch();
  }

  private fetch(): void {
    if (this.stopped) return;
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = withScope(platformScope, async () => {
      do {
        this.fetchAgain = false;
        try {
          for (;;) {
            if (this.listeners.size === 0) {
              // The backstop's read with no subscriber: only where the feed stands.
              const latest = await latestSeq(this.db);
              // A subscriber that came meanwhile gets what follows the old watermark.
              if (this.listeners.size > 0) continue;
              if (BigInt(latest) > BigInt(this.watermark)) this.watermark = latest;
              break;
            }
            const events = await eventsAfter(this.db, this.watermark, { limit: 1000 });
            for (const event of events) {
              this.watermark = event.id;
              for (const listener of this.listeners.get(event.tenantId) ?? []) listener(event);
            }
            if (events.length < 1000) break;
          }
        } catch (error) {
          if (!this.stopped) this.log.warn({ err: error }, 'reading events failed; the next notification retries');
        }
      } while (this.fetchAgain && !this.stopped);
      this.fetching = undefined;
    });
  }

  /** Live events of one tenant from now on. */
  subscribe(tenantId: string, listener: Listener): () => void {
    let set = this.listeners.get(tenantId);
    if (!set) this.listeners.set(tenantId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenantId);
    };
  }

  get subscriberCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  /** Tells every process on the database to forget its cached tokens (revoke, suspend). */
  async authChanged(): Promise<void> {
    await withScope(platformScope, () => sql`select pg_notify(${sequencedChannel}, ${authChangedPayload})`.execute(this.db));
  }

  /** Events of one tenant after a cursor (a reconnecting client's backfill). */
  backfill(tenantId: string, afterSeq: string, limit = 1000): Promise<ChangeEvent[]> {
    return withScope(tenantScope(tenantId), () => eventsAfter(this.db, afterSeq, { tenantId, limit }));
  }
}
