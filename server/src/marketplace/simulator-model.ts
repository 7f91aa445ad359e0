import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { limits } from '@onhand/shared';
import { defaultConfig, type SimulatorConfig, type SimulatorConfigPatch, type orderBodySchema, type quantityBodySchema } from './simulator-schemas';

// The simulated marketplace's state and rules, without HTTP: what a request
// does and what it is answered. Kept apart from the server so each rule
// (compare-and-set, idempotent replay, rate limit, fault injection) is one
// small function that reads like the behaviour it imitates.

/** What one request is answered; the HTTP layer only serialises it. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface SimListing { account: string; key: string; quantity: number; version: number; updatedAt: string }
export interface SimOrder {
  orderId: string;
  account: string;
  externalOrderId: string;
  placedAt: string;
  shipToCountry: string;
  status: 'open' | 'cancelled';
  lines: { lineId: string; key: string; quantity: number }[];
}
/** One applied quantity write, so a test can check nothing took effect twice. */
export interface SimWrite { account: string; key: string; from: number | null; to: number; idempotencyKey: string; at: string }

/**
 * Seedable generator (xorshift32 over a mixed seed): the same on every
 * platform, which is all fault injection needs to be reproducible.
 */
export function seededRandom(seed: number): () => number {
  let x = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ 0x165667b1;
  if (x === 0) x = 0x2545f491;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const error = (status: number, message: string, extra: Record<string, unknown> = {}): Answer => ({ status, body: { error: message, ...extra } });

export class MarketplaceModel {
  config: SimulatorConfig = { ...defaultConfig };
  private tokens = new Map<string, string>();
  private listings = new Map<string, SimListing>();
  private answers = new Map<string, { fingerprint: string; answer: Answer }>();
  private orders = new Map<string, SimOrder>();
  private writes: SimWrite[] = [];
  private buckets = new Map<string, { tokens: number; at: number }>();
  // Two streams, so placing orders does not shift which pushes fail.
  private faultRandom = seededRandom(defaultConfig.seed);
  private notifyRandom = seededRandom(defaultConfig.seed + 1);
  private nextId = 1;
  readonly counters = { requests: 0, rateLimited: 0, transientFailures: 0, lostResponses: 0, conflicts: 0, replays: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  configure(patch: SimulatorConfigPatch): SimulatorConfig {
    this.config = { ...this.config, ...patch } as SimulatorConfig;
    if (patch.seed !== undefined) {
      this.faultRandom = seededRandom(patch.seed);
      this.notifyRandom = seededRandom(patch.seed + 1);
    }
    if (patch.rateLimitPerSecond !== undefined) this.buckets.clear();
    return this.config;
  }

  /** Back to an empty marketplace with the default configuration. */
  reset(): void {
    for (const m of [this.tokens, this.listings, this.answers, this.orders, this.buckets]) m.clear();
    this.writes = [];
    for (const k of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[k] = 0;
    this.config = { ...defaultConfig };
    this.configure({ seed: defaultConfig.seed });
  }

  addAccount(account: string, token?: string): Answer {
    const existing = [...this.tokens].find(([, a]) => a === account);
    if (existing) return error(409, `account ${account} exists`);
    const issued = token ?? `sim_${randomBytes(24).toString('base64url')}`;
    if (this.tokens.has(issued)) return error(409, 'token already in use');
    this.tokens.set(issued, account);
    return { status: 201, body: { account, token: issued } };
  }

  accountFor(authorization: string | undefined): string | undefined {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    return match ? this.tokens.get(match[1]!) : undefined;
  }

  /** Rate limit, then injected 5xx: what a marketplace's front door does before any work. */
  admit(account: string): Answer | undefined {
    this.counters.requests++;
    const perSecond = this.config.rateLimitPerSecond;
    if (perSecond > 0) {
      // Token bucket holding one second's worth, so a burst up to the limit passes.
      const now = this.now();
      const capacity = Math.max(1, perSecond);
      const bucket = this.buckets.get(account) ?? { tokens: capacity, at: now };
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
      bucket.at = now;
      this.buckets.set(account, bucket);
      if (bucket.tokens < 1) {
        this.counters.rateLimited++;
        const waitMs = Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
        return {
          status: 429,
          body: { error: 'rate limit exceeded' },
          headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)), 'Retry-After-Ms': String(waitMs) },
        };
      }
      bucket.tokens -= 1;
    }
    if (this.faultRandom() < this.config.transientFailureRate) {
      this.counters.transientFailures++;
      return error(503, 'service unavailable (simulated)');
    }
    return undefined;
  }

  getListing(account: string, key: string): Answer {
    const listing = this.listings.get(listingKey(account, key));
    return listing ? { status: 200, body: publicListing(listing) } : error(404, `no listing ${key}`);
  }

  listListings(account: string): Answer {
    const listings = [...this.listings.values()].filter((l) => l.account === account).map(publicListing);
    return { status: 200, body: { listings } };
  }

  /**
   * Compare-and-set write with replay: only a write that took effect is kept
   * under its idempotency key, so a retry after a conflict or a fault is a new
   * attempt while a retry after success gets the first answer back unchanged.
   */
  putQuantity(account: string, key: string, body: z.infer<typeof quantityBodySchema>, idempotencyKey: string): Answer {
    const fingerprint = JSON.stringify([key, body.quantity, body.expectedQuantity ?? null]);
    const stored = this.answers.get(`${account}\u0000${idempotencyKey}`);
    if (stored) {
      if (stored.fingerprint !== fingerprint) return error(422, 'Idempotency-Key was already used for a different request');
      this.counters.replays++;
      return stored.answer;
    }
    const existing = this.listings.get(listingKey(account, key));
    if (!existing && this.config.strict) return error(404, `no listing ${key}`);
    const current = existing?.quantity ?? null;
    const expected = body.expectedQuantity ?? null;
    // An unknown listing holds nothing yet, so "expected 0" matches it.
    if (expected !== null && expected !== (current ?? 0)) {
      this.counters.conflicts++;
      return error(409, `quantity is ${current ?? 0}, not ${expected}`, { currentQuantity: current ?? 0 });
    }
    const listing = this.setQuantity(account, key, body.quantity);
    this.writes.push({ account, key, from: current, to: body.quantity, idempotencyKey, at: listing.updatedAt });
    const answer: Answer = { status: 200, body: { quantity: listing.quantity, version: listing.version } };
    this.answers.set(`${account}\u0000${idempotencyKey}`, { fingerprint, answer });
    if (this.faultRandom() < this.config.lostResponseRate) {
      this.counters.lostResponses++;
      return error(503, 'service unavailable (simulated, after the write was applied)');
    }
    return answer;
  }

  /** Admin: a listing the seller already has on the marketplace. */
  seedListing(account: string, key: string, quantity: number): Answer {
    if (!this.hasAccount(account)) return error(404, `no account ${account}`);
    return { status: 200, body: publicListing(this.setQuantity(account, key, quantity)) };
  }

  /** Admin: a buyer places an order; idempotent on (account, external order id). */
  placeOrder(input: z.infer<typeof orderBodySchema>): { answer: Answer; placed?: SimOrder } {
    if (!this.hasAccount(input.account)) return { answer: error(404, `no account ${input.account}`) };
    const same = [...this.orders.values()].find((o) => o.account === input.account && o.externalOrderId === input.externalOrderId);
    if (same) return { answer: { status: 200, body: structuredClone(same) } };
    if (this.config.strict) {
      const missing = input.lines.find((l) => !this.listings.has(listingKey(input.account, l.key)));
      if (missing) return { answer: error(404, `no listing ${missing.key}`) };
    }
    const orderId = `ord_${this.nextId++}`;
    const order: SimOrder = {
      orderId,
      account: input.account,
      externalOrderId: input.externalOrderId,
      placedAt: new Date(this.now()).toISOString(),
      shipToCountry: input.shipToCountry,
      status: 'open',
      lines: input.lines.map((l, i) => ({ lineId: `${orderId}-${i + 1}`, key: l.key, quantity: l.quantity })),
    };
    // A marketplace sells what it shows; a sale it could not cover (a stale
    // quantity) still happens, which is how oversells arise, but the shown
    // quantity stops at zero.
    for (const line of order.lines) {
      const held = this.listings.get(listingKey(order.account, line.key))?.quantity ?? 0;
      this.setQuantity(order.account, line.key, Math.max(0, held - line.quantity));
    }
    this.orders.set(orderId, order);
    return { answer: { status: 201, body: structuredClone(order) }, placed: structuredClone(order) };
  }

  /** Admin: the buyer cancels; the units go back on the listing unless `restock` is false. */
  cancelOrder(orderId: string, restock = true): { answer: Answer; cancelled?: SimOrder } {
    const order = this.orders.get(orderId);
    if (!order) return { answer: error(404, `no order ${orderId}`) };
    if (order.status === 'cancelled') return { answer: { status: 200, body: structuredClone(order) } };
    order.status = 'cancelled';
    if (restock) {
      for (const line of order.lines) {
        const held = this.listings.get(listingKey(order.account, line.key))?.quantity ?? 0;
        this.setQuantity(order.account, line.key, Math.min(limits.quantityMax, held + line.quantity));
      }
    }
    return { answer: { status: 200, body: structuredClone(order) }, cancelled: structuredClone(order) };
  }

  /** Whether this notification is delivered twice; its own random stream. */
  duplicateNext(): boolean {
    return this.notifyRandom() < this.config.duplicateNotificationRate;
  }

  snapshot() {
    return structuredClone({
      config: this.config,
      accounts: [...new Set(this.tokens.values())],
      listings: [...this.listings.values()],
      orders: [...this.orders.values()],
      writes: this.writes,
      counters: this.counters,
    });
  }

  private hasAccount(account: string): boolean {
    return [...this.tokens.values()].includes(account);
  }

  private setQuantity(account: string, key: string, quantity: number): SimListing {
    const id = listingKey(account, key);
    const listing = this.listings.get(id) ?? { account, key, quantity: 0, version: 0, updatedAt: '' };
    listing.quantity = quantity;
    listing.version++;
    listing.updatedAt = new Date(this.now()).toISOString();
    this.listings.set(id, listing);
    return listing;
  }
}

const listingKey = (account: string, key: string) => `${account}\u0000${key}`;
const publicListing = (l: SimListing) => ({ key: l.key, quantity: l.quantity, version: l.version });
