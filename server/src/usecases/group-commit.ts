import type { Db } from '../db/database';
import { tenantScope, withScope } from '../db/scope';
import { AppError } from '../errors';

/** What one item of a batch came to: its answer, or its own error. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** `work`'s value, or its refusal (an AppError) as that request's own outcome; anything else fails the whole batch. */
export async function settleRefusal<R>(work: () => Promise<R>): Promise<Settled<R>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ok: false, error };
  }
}

interface Waiting<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
  /** Refuses the request when it waited too long for a batch. */
  deadline: NodeJS.Timeout;
}

interface Queue<I, R> {
  waiting: Waiting<I, R>[];
  running: number;
}

export interface GroupCommitOptions<I, R> {
  /**
   * Runs a batch in one transaction and settles every item (a rejection of
   * one item is its own outcome, never the batch's). Throwing fails the
   * batch: see `submit`.
   */
  run: (group: string, items: readonly I[]) => Promise<Settled<R>[]>;
  /** Items sharing a conflict key never share a batch (a retried request waits for its first delivery). */
  conflictKeys: (item: I) => readonly string[];
  /** Batches of one group in flight at once (each holds one connection). */
  lanes: number;
  itemsPerBatchMax: number;
  /**
   * Overload: a request that waited this long for a batch, or that finds
   * this many waiting already, is told to retry later (as a request finding
   * no free connection is), instead of queueing without end.
   */
  waitMsMax: number;
  waitingMax: number;
}

/** What a request may wait for its batch: as long as for a free database connection (connect.ts), and no queue longer than a burst. */
export const waitLimits = { waitMsMax: 10_000, waitingMax: 2_000 } as const;

const busy = () => new AppError('TOO_MANY_REQUESTS', 'the server is busy; retry with the same idempotencyKey');

/**
 * Group commit: concurrent requests of one group (one tenant) that arrive
 * while that group's lanes are busy are written together, one transaction
 * and a fixed number of statements for the whole batch, instead of one
 * transaction each. Nothing waits for a timer: a request that finds a lane
 * free runs at once (a batch of one), so a lone request is as fast as
 * before, and under load each round trip to the database serves many
 * requests. Every item keeps its own answer and its own error.
 */
export class GroupCommit<I, R> {
  private readonly queues = new Map<string, Queue<I, R>>();

  constructor(private readonly options: GroupCommitOptions<I, R>) {}

  submit(group: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let queue = this.queues.get(group);
      if (!queue) {
        queue = { waiting: [], running: 0 };
        this.queues.set(group, queue);
      }
      if (queue.waiting.length >= this.options.waitingMax) return reject(busy());
      const waiting: Waiting<I, R> = {
        item,
        resolve,
        reject,
        deadline: setTimeout(() => {
          const q = this.queues.get(group);
          if (!q || !q.waiting.includes(waiting)) return;
          q.waiting = q.waiting.filter((w) => w !== waiting);
          reject(busy());
        }, this.options.waitMsMax),
      };
      waiting.deadline.unref();
      queue.waiting.push(waiting);
      this.pump(group, queue);
    });
  }

  private pump(group: string, queue: Queue<I, R>): void {
    while (queue.running < this.options.lanes && queue.waiting.length > 0) {
      const batch = this.take(queue);
      queue.running += 1;
      void this.runBatch(group, batch).finally(() => {
        queue.running -= 1;
        if (queue.running === 0 && queue.waiting.length === 0) this.queues.delete(group);
        else this.pump(group, queue);
      });
    }
  }

  /** The oldest waiting items, no two sharing a conflict key, up to the batch size. */
  private take(queue: Queue<I, R>): Waiting<I, R>[] {
    const batch: Waiting<I, R>[] = [];
    const keys = new Set<string>();
    const rest: Waiting<I, R>[] = [];
    for (const waiting of queue.waiting) {
      const itemKeys = this.options.conflictKeys(waiting.item);
      if (batch.length < this.options.itemsPerBatchMax && !itemKeys.some((key) => keys.has(key))) {
        for (const key of itemKeys) keys.add(key);
        clearTimeout(waiting.deadline);
        batch.push(waiting);
      } else {
        rest.push(waiting);
      }
    }
    queue.waiting = rest;
    return batch;
  }

  private async runBatch(group: string, batch: Waiting<I, R>[]): Promise<void> {
    let outcomes: Settled<R>[];
    try {
      outcomes = await this.options.run(
        group,
        batch.map((w) => w.item),
      );
    } catch (error) {
      // Busy or lost connection: every item is told to retry (with its key,
      // each takes effect once). Anything else failed the whole batch for
      // one item's sake: each item runs alone, so only its own error reaches
      // each request; one after the other, in this lane (at once, a rush on
      // one hot row would hold a connection each while queueing on its lock).
      if (batch.length === 1 || error instanceof AppError) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const w of batch) await this.runBatch(group, [w]);
      return;
    }
    batch.forEach((w, index) => {
      const outcome = outcomes[index];
      if (!outcome) w.reject(new Error('group commit: a batch returned fewer outcomes than items'));
      else if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}

/**
 * A group commit per database (a process has one; tests open many), made on
 * first use, whose groups are tenants: each batch is written by `write` in
 * its tenant's row-level-security scope, whichever request started it.
 */
export function perTenantGroupCommit<I, R>(
  options: Omit<GroupCommitOptions<I, R>, 'run' | 'waitMsMax' | 'waitingMax'> & {
    write: (db: Db, tenantId: string, items: readonly I[]) => Promise<Settled<R>[]>;
  },
): (db: Db) => GroupCommit<I, R> {
  const byDatabase = new WeakMap<Db, GroupCommit<I, R>>();
  return (db) => {
    let group = byDatabase.get(db);
    if (!group) {
      const { write, ...rest } = options;
      group = new GroupCommit<I, R>({ ...rest, ...waitLimits, run: (tenantId, items) => withScope(tenantScope(tenantId), () => write(db, tenantId, items)) });
      byDatabase.set(db, group);
    }
    return group;
  };
}
