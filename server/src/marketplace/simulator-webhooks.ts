import type { SimOrder } from './simulator-model';

// Order notifications the way marketplaces send them: at least once. A
// delivery that fails is retried with backoff; some are sent twice on
// purpose; each delivery runs on its own timer, so a late duplicate can land
// after a newer notification (a cancel) for the same order. A receiver must
// cope with all of that, and this is what proves it does.

export type NotificationType = 'order.created' | 'order.cancelled';

/** The JSON body POSTed to the webhook. */
export interface OrderNotification {
  /** The same on every delivery of one notification, duplicates included: what a receiver dedupes on. */
  notificationId: string;
  type: NotificationType;
  account: string;
  occurredAt: string;
  order: SimOrder;
}

export interface DeliveryRecord {
  notificationId: string;
  type: NotificationType;
  orderId: string;
  duplicate: boolean;
  attempts: number;
  state: 'pending' | 'delivered' | 'failed' | 'no_webhook';
  lastStatus: number | null;
  lastError: string | null;
}

export interface WebhookTarget {
  url: string | null;
  headers: Record<string, string>;
}

const maxAttempts = 5;
const firstRetryMs = 100;
const deliveryTimeoutMs = 5_000;

export class WebhookDeliverer {
  private readonly records: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private nextId = 1;
  private closed = false;
  // Bumped by close/reset: an attempt from before must not touch the counts after.
  private generation = 0;

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  /**
   * Sends a notification to the target configured now (a later config change
   * does not redirect it); `duplicateAfterMs` sends a second copy that much later.
   */
  notify(type: NotificationType, order: SimOrder, occurredAt: string, target: WebhookTarget, duplicateAfterMs: number | null): void {
    const notification: OrderNotification = {
      notificationId: `ntf_${this.nextId++}`,
      type,
      account: order.account,
      occurredAt,
      order: structuredClone(order),
    };
    this.schedule(notification, target, false, 0);
    if (duplicateAfterMs !== null) this.schedule(notification, target, true, duplicateAfterMs);
  }

  deliveries(): DeliveryRecord[] {
    return structuredClone(this.records);
  }

  /** Resolves once no delivery is waiting or in flight (including retries and duplicates). */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  reset(): void {
    this.close();
    this.records.length = 0;
    this.closed = false;
  }

  close(): void {
    this.closed = true;
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
    this.pending = 0;
    this.wakeIdle();
  }

  private schedule(notification: OrderNotification, target: WebhookTarget, duplicate: boolean, delayMs: number): void {
    const record: DeliveryRecord = {
      notificationId: notification.notificationId,
      type: notification.type,
      orderId: notification.order.orderId,
      duplicate,
      attempts: 0,
      state: target.url ? 'pending' : 'no_webhook',
      lastStatus: null,
      lastError: null,
    };
    this.records.push(record);
    if (!target.url) return;
    this.pending++;
    this.later(delayMs, () => this.attempt(notification, { url: target.url!, headers: target.headers }, record));
  }

  private async attempt(notification: OrderNotification, target: { url: string; headers: Record<string, string> }, record: DeliveryRecord): Promise<void> {
    const generation = this.generation;
    if (this.closed) return;
    record.attempts++;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), deliveryTimeoutMs);
    try {
      const response = await this.fetchImpl(target.url, {
        method: 'POST',
        headers: {
          ...target.headers,
          'Content-Type': 'application/json',
          'X-Simulator-Notification-Id': notification.notificationId,
          'X-Simulator-Delivery-Attempt': String(record.attempts),
        },
        body: JSON.stringify(notification),
        // A redirect could lead off loopback; the simulator never follows one.
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel();
      record.lastStatus = response.status;
      record.lastError = response.ok ? null : `HTTP ${response.status}`;
      if (response.ok && generation === this.generation) return this.finish(record, 'delivered');
    } catch (err) {
      record.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    if (this.closed || generation !== this.generation) return;
    if (record.attempts >= maxAttempts) return this.finish(record, 'failed');
    this.later(firstRetryMs * 2 ** (record.attempts - 1), () => this.attempt(notification, target, record));
  }

  private later(delayMs: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  private finish(record: DeliveryRecord, state: 'delivered' | 'failed'): void {
    record.state = state;
    this.pending--;
    if (this.pending === 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
