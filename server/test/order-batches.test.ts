import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../src/testing';
import { createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';
import { order, sellerWithChannel, stockOf } from './support/orders';

// Orders of one tenant delivered together are written together (group
// commit, usecases/order-batches.ts). What a seller must not be able to
// tell: each order is routed on the stock the ones before it left, taken
// once, and answered (or refused) on its own.

describe.each(databaseKinds)('orders delivered together on %s', (kind) => {
  let db: TestDatabase;
  let admin: Api;
  let seller: SellerFixture;
  let channelId: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    admin = await createAdmin(db);
    seller = await createSeller(db, 'Rush');
    ({ channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.FBA, seller.sources.MF], skus: ['LAMP', 'DESK'] }));
  });
  afterAll(async () => db?.close());

  it('routes each order on what the ones before it took: the FC fills what it has, MF takes the rest as a fallback', async () => {
    await seller.api.inventory.setQuantity({ sku: 'LAMP', sourceId: seller.sources.FBA, onHand: 3, idempotencyKey: 'lamp-fba-3' });
    const placed = await Promise.all(Array.from({ length: 8 }, () => seller.api.orders.ingest(order(channelId, [{ sku: 'LAMP', quantity: 1 }]))));
    const lines = placed.map((o) => o.lines[0]!);
    expect(lines.filter((l) => l.sourceId === seller.sources.FBA)).toHaveLength(3);
    const fallbacks = lines.filter((l) => l.sourceId === seller.sources.MF);
    expect(fallbacks).toHaveLength(5);
    for (const line of fallbacks) expect(line.trace).toContainEqual({ sourceId: seller.sources.FBA, skipped: 'INSUFFICIENT_QUANTITY' });
    const stock = await stockOf(seller, 'LAMP');
    expect(stock.FBA).toMatchObject({ onHand: 3, committed: 3, available: 0 });
    expect(stock.MF).toMatchObject({ committed: 5, available: -5 });

    // Subscribers hear what each order did to the stock, not only where the batch ended.
    const heard = await sql<{ source_id: string; available: number }>`
      select payload->>'sourceId' as source_id, (payload->>'available')::int as available from events
      where kind = 'balance' and payload->>'sku' = 'LAMP' order by id`.execute(db.db);
    const availableAt = (sourceId: string) => heard.rows.filter((r) => r.source_id === sourceId).map((r) => r.available);
    expect(availableAt(seller.sources.FBA)).toEqual([3, 2, 1, 0]);
    expect(availableAt(seller.sources.MF)).toEqual([-1, -2, -3, -4, -5]);

    // Fewer transactions than orders: they were written together.
    const written = await sql<{ orders: string | number; transactions: string | number }>`
      select count(*) as orders, count(distinct xmin::text) as transactions from orders where id = any(${placed.map((o) => o.orderId)}::text[])`.execute(db.db);
    expect(Number(written.rows[0]!.orders)).toBe(8);
    expect(Number(written.rows[0]!.transactions)).toBeLessThan(8);
    expect((await admin.admin.reconcile({ tenantId: seller.tenantId })).mismatches).toEqual([]);
  });

  it('a delivery repeated in the same rush takes stock once; an unknown channel is refused on its own', async () => {
    await seller.api.inventory.setQuantity({ sku: 'DESK', sourceId: seller.sources.FBA, onHand: 10, idempotencyKey: 'desk-fba-10' });
    const desk = order(channelId, [{ sku: 'DESK', quantity: 2 }]);
    const keyed = { ...order(channelId, [{ sku: 'DESK', quantity: 1 }]), idempotencyKey: 'desk-keyed' };
    const settled = await Promise.allSettled([
      ...Array.from({ length: 4 }, () => seller.api.orders.ingest(desk)),
      ...Array.from({ length: 3 }, () => seller.api.orders.ingest(keyed)),
      seller.api.orders.ingest({ ...order('chn_nowhere', [{ sku: 'DESK', quantity: 1 }]), idempotencyKey: 'desk-nowhere' }),
    ]);
    const values = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(values).toHaveLength(7);
    expect(new Set(values.slice(0, 4).map((o) => o.orderId)).size).toBe(1);
    expect(new Set(values.slice(4).map((o) => o.orderId)).size).toBe(1);
    const refused = settled[7];
    expect(refused?.status).toBe('rejected');
    expect(((refused as PromiseRejectedResult).reason as Error).message).toMatch(/^channelId: /);
    expect((await stockOf(seller, 'DESK')).FBA).toMatchObject({ onHand: 10, committed: 3 });

    // The refused request's key was released: with a channel that exists it goes through.
    const retried = await seller.api.orders.ingest({ ...order(channelId, [{ sku: 'DESK', quantity: 1 }]), idempotencyKey: 'desk-nowhere' });
    expect(retried.lines[0]).toMatchObject({ sku: 'DESK', state: 'allocated' });
    expect((await admin.admin.reconcile({ tenantId: seller.tenantId })).mismatches).toEqual([]);
  });
});
