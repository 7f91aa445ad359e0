import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import { EventSource } from 'eventsource';
import { createPostgresDatabase } from '../src/testing';
import { startServer, type RunningServer } from '../src/http/server';
import type { AppRouter } from '../src/trpc/router';
import { databaseKinds } from './support/harness';

function client(url: string, token: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: `${url}/trpc`, EventSource, connectionParams: { token } }),
        false: httpBatchLink({ url: `${url}/trpc`, headers: { Authorization: `Bearer ${token}` } }),
      }),
    ],
  });
}

interface Received {
  id: string;
  kind: string;
  sku?: string;
  onHand?: number;
  available?: number;
}

/** Subscribes and collects events until `stop`; resolves waiters as events arrive. */
function collect(api: TRPCClient<AppRouter>, lastEventId?: string) {
  const events: Received[] = [];
  const waiters: { test: (e: Received[]) => boolean; resolve: () => void }[] = [];
  const subscription = api.changes.subscribe.subscribe(lastEventId === undefined ? undefined : { lastEventId }, {
    onData: (message) => {
      events.push({ ...(message.data as unknown as Received), id: message.id });
      for (const w of [...waiters]) if (w.test(events)) w.resolve();
    },
  });
  return {
    events,
    until: (test: (e: Received[]) => boolean, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (test(events)) return resolve();
        const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(events)}`)), timeoutMs);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    stop: () => subscription.unsubscribe(),
  };
}

/** Waits (polling) until `condition` holds; fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const runsOn = databaseKinds.includes('postgres') ? ['postgres (two servers)'] : [];

describe.each(runsOn)('live changes across servers on %s', () => {
  let first: RunningServer;
  let second: RunningServer;
  let drop: () => Promise<void>;
  let token: string;
  let mf: string;

  beforeAll(async () => {
    const created = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    drop = created.drop;
    first = await startServer({ databaseUrl: created.databaseUrl, seedDemo: true, logLevel: 'silent' });
    second = await startServer({ databaseUrl: created.databaseUrl, logLevel: 'silent' });
    token = first.demo!.sellerToken;
    mf = first.demo!.sourceIds.MF;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await drop?.();
  });

  it('a change through one server reaches a subscriber of the other, in order', async () => {
    const writer = client(first.url, token);
    const watcher = collect(client(second.url, token));
    // A marker change heard first: the demo seed's own events, committed by
    // the first server as it started, may reach a new subscriber before it
    // (in order); what is checked is what comes after it.
    await writer.inventory.setQuantity.mutate({ sku: 'DEMO-CANDLE-LAV', sourceId: mf, onHand: 77, idempotencyKey: 'live-marker' });
    await watcher.until((events) => events.some((e) => e.kind === 'balance' && e.sku === 'DEMO-CANDLE-LAV' && e.onHand === 77));
    const heardBefore = watcher.events.length;
    for (let n = 1; n <= 5; n += 1) {
      await writer.inventory.setQuantity.mutate({ sku: 'DEMO-MUG-11OZ', sourceId: mf, onHand: 100 + n, idempotencyKey: `live-${n}` });
    }
    await watcher.until((events) => events.some((e) => e.sku === 'DEMO-MUG-11OZ' && e.available === 105));
    const mugs = watcher.events.slice(heardBefore).filter((e) => e.sku === 'DEMO-MUG-11OZ' && e.kind === 'balance').map((e) => e.available);
    expect(mugs).toEqual([101, 102, 103, 104, 105]);
    const ids = watcher.events.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
    watcher.stop();
  });

  it('a subscriber that reconnects with its last event id gets every event it missed', async () => {
    const writer = client(second.url, token);
    const before = collect(client(first.url, token));
    await new Promise((r) => setTimeout(r, 300));
    await writer.inventory.setQuantity.mutate({ sku: 'DEMO-TEE-M-BLK', sourceId: mf, onHand: 1, idempotencyKey: 'resume-0' });
    await before.until((events) => events.some((e) => e.kind === 'balance' && e.sku === 'DEMO-TEE-M-BLK' && e.available === 1));
    const lastSeen = before.events[before.events.length - 1]!.id;
    before.stop();
    // While disconnected, changes keep coming (from both servers, concurrently).
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client(i % 2 ? first.url : second.url, token).inventory.adjust.mutate({ sku: 'DEMO-TEE-M-BLK', sourceId: mf, delta: 1, reason: 'found', idempotencyKey: `resume-${i + 1}` }),
      ),
    );
    const after = collect(client(first.url, token), lastSeen);
    await after.until((events) => events.filter((e) => e.kind === 'balance' && e.sku === 'DEMO-TEE-M-BLK').length >= 20);
    const tees = after.events.filter((e) => e.kind === 'balance' && e.sku === 'DEMO-TEE-M-BLK').map((e) => e.available);
    expect(tees).toHaveLength(20);
    expect(new Set(tees)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i + 2)));
    expect(after.events.every((e) => BigInt(e.id) > BigInt(lastSeen))).toBe(true);
    after.stop();
  });

  it('a subscriber that comes after a spell with none hears the next change live', async () => {
    // With no subscriber a server reads no events (the feed only moves its
    // watermark); the first one to come must still hear what follows.
    const writer = client(first.url, token);
    // Earlier tests' subscribers leave the second server as their streams close.
    await until(() => second.feed.subscriberCount === 0);
    for (let n = 1; n <= 10; n += 1) {
      await writer.inventory.adjust.mutate({ sku: 'DEMO-MUG-11OZ', sourceId: mf, delta: 1, reason: 'found', idempotencyKey: `quiet-${n}` });
    }
    const watcher = collect(client(second.url, token));
    await until(() => second.feed.subscriberCount === 1);
    const { balance } = await writer.inventory.setQuantity.mutate({ sku: 'DEMO-MUG-11OZ', sourceId: mf, onHand: 5000, idempotencyKey: 'quiet-heard' });
    await watcher.until((events) => events.some((e) => e.kind === 'balance' && e.sku === 'DEMO-MUG-11OZ' && e.onHand === balance.onHand));
    // In commit order, each once.
    const ids = watcher.events.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    watcher.stop();
  });
});

describe.each(runsOn)('token revocation across servers on %s', () => {
  let first: RunningServer;
  let second: RunningServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    drop = created.drop;
    first = await startServer({ databaseUrl: created.databaseUrl, seedDemo: true, logLevel: 'silent', adminToken: 'onh_a_revocation-test' });
    second = await startServer({ databaseUrl: created.databaseUrl, logLevel: 'silent' });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await drop?.();
  });

  it('a token revoked through one server is refused by the other, whose cache had it', async () => {
    const admin = client(first.url, 'onh_a_revocation-test');
    const { tenantId } = first.demo!;
    const issued = await admin.admin.tokens.issue.mutate({ tenantId, role: 'seller', label: 'to revoke' });
    const onFirst = client(first.url, issued.token);
    const onSecond = client(second.url, issued.token);
    // Both servers have now authenticated (and cached) the token.
    expect((await onFirst.sources.list.query()).length).toBe(3);
    expect((await onSecond.sources.list.query()).length).toBe(3);
    await admin.admin.tokens.revoke.mutate({ tokenId: issued.tokenId });
    // This process forgot it at once; the other one on the notification.
    await expect(onFirst.sources.list.query()).rejects.toThrow(/not valid/);
    const refusedBySecond = async () => {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        try {
          await onSecond.sources.list.query();
        } catch (error) {
          return String(error);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return 'still accepted';
    };
    expect(await refusedBySecond()).toMatch(/not valid/);
  });
});

describe.each(databaseKinds.filter((k) => k === 'pglite'))('live changes on the embedded database', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ seedDemo: true, logLevel: 'silent' });
  });
  afterAll(async () => server?.close());

  it('an order placed reaches an open subscriber with its balance changes', async () => {
    const api = client(server.url, server.demo!.sellerToken);
    const watcher = collect(api);
    await new Promise((r) => setTimeout(r, 300));
    const placed = await api.orders.ingest.mutate({ channelId: server.demo!.channelIds.amazon, externalOrderId: 'LIVE-1', placedAt: '2026-11-28T00:00:00Z', shipTo: { country: 'US' }, lines: [{ externalLineId: '1', channelSku: 'DEMO-MUG-11OZ', quantity: 2 }] });
    await watcher.until((events) => events.some((e) => e.kind === 'order') && events.some((e) => e.kind === 'balance' && e.sku === 'DEMO-MUG-11OZ'));
    expect(watcher.events.find((e) => e.kind === 'order')).toMatchObject({ orderId: placed.orderId, skus: ['DEMO-MUG-11OZ'] });
    watcher.stop();
  });

  it('a subscriber without a valid token is refused', async () => {
    const intruder = collect(client(server.url, 'onh_s_wrong'));
    await new Promise((r) => setTimeout(r, 500));
    await client(server.url, server.demo!.sellerToken).inventory.adjust.mutate({ sku: 'DEMO-MUG-11OZ', sourceId: server.demo!.sourceIds.MF, delta: 1, reason: 'found', idempotencyKey: 'x' });
    await new Promise((r) => setTimeout(r, 500));
    expect(intruder.events).toEqual([]);
    intruder.stop();
  });
});
