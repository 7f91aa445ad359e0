import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { TestDatabase } from '../src/testing';
import { startSimulator, type RunningSimulator } from '../src/marketplace/simulator';
import { createSimulatorConnector } from '../src/marketplace/simulator-connector';
import { PushDrainer } from '../src/outbox/drainer';
import { createSeller, databaseKinds, freshDatabase, type SellerFixture } from './support/harness';
import { sellerWithChannel } from './support/orders';
import { mulberry32 } from './support/random';

const silent = pino({ level: 'silent' });
const token = 'sim-account-token-0123456789';
const skus = Array.from({ length: 12 }, (_, i) => `OB-${i}`);


async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(databaseKinds)('outbox drained to a flaky marketplace on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let sim: RunningSimulator;
  let channelId: string;
  let listings: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Outbox');
    ({ channelId, listings } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF, seller.sources.FBA], skus }));
    // Flaky on purpose: lost responses (applied but answered 503), plain 503s, a tight rate limit.
    sim = await startSimulator({ config: { seed: 7, transientFailureRate: 0.2, lostResponseRate: 0.1, rateLimitPerSecond: 40 } });
    await fetch(`${sim.url}/admin/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ account: 'seller', token }) });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.close();
  });

  it('retries through failures and rate limits, survives a killed drainer, and ends equal to what onhand publishes', async () => {
    const connector = createSimulatorConnector({ marketplace: 'ebay', baseUrl: sim.url, token });
    const drainerOptions = { pollMs: 50, leaseMs: 400, batchSize: 10 };
    let drainer = new PushDrainer(db.db, () => connector, silent, drainerOptions);
    drainer.start();
    const random = mulberry32(11);
    for (let i = 0; i < 150; i += 1) {
      const sku = skus[Math.floor(random() * skus.length)]!;
      const sourceId = random() < 0.5 ? seller.sources.MF : seller.sources.FBA;
      await seller.api.inventory.setQuantity({ sku, sourceId, onHand: Math.floor(random() * 30), idempotencyKey: `ob-${i}` });
      drainer.wake();
      if (i === 75) {
        // Kill the connector mid-run; a new one takes over once leases run out.
        await drainer.stop();
        drainer = new PushDrainer(db.db, () => connector, silent, drainerOptions);
        drainer.start();
      }
    }
    const outboxSettled = async () => {
      const rows = await db.db.selectFrom('listing_pushes').select(['state']).where('tenant_id', '=', seller.tenantId).execute();
      return rows.length === skus.length && rows.every((r) => r.state === 'acknowledged');
    };
    await waitFor(outboxSettled, 60_000, 'every push to be acknowledged');
    await drainer.stop();

    const { rows } = await seller.api.listings.lookup({ channelId, rows: skus.map((sku) => ({ key: sku, channelSku: `EBAY-${sku}` })) });
    const state = sim.state();
    for (const row of rows) {
      const onMarketplace = state.listings.find((l) => l.key === `EBAY-${row.sku}`)?.quantity;
      expect(onMarketplace, row.sku).toBe(row.publishedQuantity);
      expect(row.push).toMatchObject({ state: 'acknowledged', desired: row.publishedQuantity, pushed: row.publishedQuantity });
    }
    // Each push id took effect at most once, and per listing the versions
    // applied only ever increase: no stale value overwrote a newer one.
    const applied = state.writes.map((w) => w.idempotencyKey);
    expect(new Set(applied).size).toBe(applied.length);
    const lastVersion = new Map<string, number>();
    for (const write of state.writes) {
      const [listingId, version] = write.idempotencyKey.split(':');
      expect(Number(version)).toBeGreaterThan(lastVersion.get(listingId!) ?? 0);
      lastVersion.set(listingId!, Number(version));
    }
    expect(state.counters.transientFailures + state.counters.lostResponses + state.counters.rateLimited).toBeGreaterThan(0);
    expect(Object.values(listings)).toHaveLength(skus.length);
  });

  it('never pushes what is not committed', async () => {
    const connector = createSimulatorConnector({ marketplace: 'ebay', baseUrl: sim.url, token });
    const drainer = new PushDrainer(db.db, () => connector, silent, { pollMs: 20, leaseMs: 400 });
    const listingId = listings[skus[0]!]!;
    const seen = new Set<number>();
    await db.db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable('listing_pushes').set({ desired: 4242, state: 'pending' }).where('tenant_id', '=', seller.tenantId).where('listing_id', '=', listingId).execute();
        drainer.start();
        // PostgreSQL: the drainer runs beside this open transaction. PGlite:
        // it waits for it. Either way it must not see 4242.
        await new Promise((r) => setTimeout(r, kind === 'pglite' ? 50 : 600));
        for (const l of sim.state().listings) seen.add(l.quantity);
        throw new Error('roll back');
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.message === 'roll back')) throw error;
      });
    await new Promise((r) => setTimeout(r, 300));
    await drainer.stop();
    for (const l of sim.state().listings) seen.add(l.quantity);
    expect(seen.has(4242)).toBe(false);
    expect(sim.state().writes.some((w) => w.to === 4242)).toBe(false);
  });
});
