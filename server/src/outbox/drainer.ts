import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { platformScope, withScope } from '../db/scope';
import { insertEvents } from '../db/repositories/events';
import { leaseDuePushes, recordPushFailure, recordPushed, type ClaimedPush } from '../db/repositories/push-claims';
import { retryStep } from '../domain/push-retry';
import type { MarketplaceConnector } from '../marketplace/connector';
import { inTransaction } from '../usecases/transaction';

/** Credentials belong to a seller's account on a marketplace: connectors are looked up per channel. */
export type ConnectorLookup = (channel: { tenantId: string; channelId: string; marketplace: string; region: string }) => MarketplaceConnector | undefined;

export interface DrainerOptions {
  /** How long a claimed push is this drainer's before others may retry it. */
  leaseMs?: number;
  batchSize?: number;
  pollMs?: number;
  /** Called after a pass that changed push states (the change feed sequences its events). */
  onChanged?: () => void;
}

/**
 * Drains the outbox after commit: leases due pushes, calls the marketplace's
 * connector, and records what the marketplace now shows. Only committed
 * desired quantities are ever read, so nothing is pushed before commit.
 */
export class PushDrainer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly abort = new AbortController();
  /** Channels (accounts) whose marketplace asked us to wait, until when (ms since epoch). */
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly connectorFor: ConnectorLookup,
    private readonly log: Logger,
    private readonly options: DrainerOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 500);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.running;
  }

  /** Drain now (after a commit that queued pushes); passes never overlap. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Pushes of every tenant, whoever's request woke the drainer.
    this.running = withScope(platformScope, async () => {
      do {
        this.again = false;
        try {
          if (await this.drainOnce()) this.again = true;
        } catch (error) {
          if (!this.stopped) this.log.warn({ err: error }, 'draining the outbox failed; the next pass retries');
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    });
  }

  /** One batch; true when a full batch was found (more may be due). */
  async drainOnce(): Promise<boolean> {
    const now = Date.now();
    const paused = [...this.pausedUntil].filter(([, until]) => until > now).map(([channelId]) => channelId);
    const batchSize = this.options.batchSize ?? 50;
    const claimed = await inTransaction(this.db, (trx) => leaseDuePushes(trx, { limit: batchSize, leaseMs: this.options.leaseMs ?? 30_000, excludeChannels: paused }));
    if (claimed.length === 0) return false;
    await Promise.all(claimed.map((push) => this.pushOne(push)));
    this.options.onChanged?.();
    return claimed.length === batchSize;
  }

  private async pushOne(push: ClaimedPush): Promise<void> {
    const connector = this.connectorFor(push);
    if (!connector) {
      await recordPushFailure(this.db, push, { retryInMs: 60_000, state: 'failed', error: `no connector for ${push.marketplace} is configured` });
      return;
    }
    if ((this.pausedUntil.get(push.channelId) ?? 0) > Date.now()) {
      await recordPushFailure(this.db, push, { retryInMs: this.pausedUntil.get(push.channelId)! - Date.now(), state: 'pending', error: 'waiting for the marketplace rate limit' });
      return;
    }
    const result = await connector.push(
      {
        channelId: push.channelId,
        region: push.region,
        listingId: push.listingId,
        channelSku: push.channelSku,
        externalId: push.externalId,
        quantity: push.desired,
        expectedQuantity: push.acknowledged,
        pushId: `${push.listingId}:${push.version}`,
      },
      this.abort.signal,
    ).catch((error: unknown) => ({ ok: false as const, kind: 'transient' as const, message: error instanceof Error ? error.message : String(error) }));
    await inTransaction(this.db, async (trx) => {
      if (result.ok) {
        const state = await recordPushed(trx, push, result.quantity);
        await insertEvents(trx, push.tenantId, [{ kind: 'push', payload: { listingId: push.listingId, state, pushed: result.quantity } }]);
        return;
      }
      if (result.kind === 'rate_limited') this.pausedUntil.set(push.channelId, Date.now() + result.retryAfterMs);
      const step = retryStep(result, push.attempts, Math.random());
      await recordPushFailure(trx, push, step);
      if (step.state === 'failed') await insertEvents(trx, push.tenantId, [{ kind: 'push', payload: { listingId: push.listingId, state: 'failed', error: step.error } }]);
    });
  }
}
