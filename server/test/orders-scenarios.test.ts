import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../src/testing';
import { createAdmin, createSeller, databaseKinds, freshDatabase, type Api } from './support/harness';
import { order, sellerWithChannel, stockOf } from './support/orders';
import { rejection } from './support/errors';


/**
 * The five ways a seller ends up with a negative quantity (design.md), each
 * lived as the seller would, then explained and fixed.
 */
describe.each(databaseKinds)('orders and "why is this negative?" on %s', (kind) => {
  let db: TestDatabase;
  let admin: Api;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    admin = await createAdmin(db);
  });
  afterAll(async () => db?.close());

  it('reason 1: FBA synced to eBay with auto-fulfill off; MF goes −1 until the order is sent to FBA', async () => {
    const seller = await createSeller(db, 'Reason 1');
    await seller.api.sources.update({ sourceId: seller.sources.FBA, autoFulfill: false, idempotencyKey: 'af-off' });
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.FBA], skus: ['MUG'] });
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.FBA, onHand: 5, idempotencyKey: 'fba-5' });
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 0, idempotencyKey: 'mf-0' });

    const placed = await seller.api.orders.ingest(order(channelId, [{ sku: 'MUG', quantity: 1 }]));
    expect(placed.lines[0]).toMatchObject({ sku: 'MUG', sourceId: seller.sources.MF, reason: 'AUTO_FULFILL_OFF', state: 'allocated' });
    expect(placed.lines[0]?.trace).toContainEqual({ sourceId: seller.sources.FBA, skipped: 'AUTO_FULFILL_OFF' });
    expect((await stockOf(seller, 'MUG')).MF).toMatchObject({ onHand: 0, committed: 1, available: -1 });

    const negatives = await seller.api.negatives.list();
    expect(negatives).toEqual([{ sku: 'MUG', sourceId: seller.sources.MF, available: -1, since: expect.any(String) }]);
    const why = await seller.api.negatives.explain({ sku: 'MUG', sourceId: seller.sources.MF });
    expect(why.available).toBe(-1);
    const cause = why.causes.find((c) => c.reason === 1);
    expect(cause).toMatchObject({ code: 'AUTO_FULFILL_OFF', orderId: placed.orderId, lineId: placed.lines[0]?.lineId });
    expect(cause?.message).toMatch(/auto-fulfill/i);
    expect(cause?.entryIds.length).toBeGreaterThan(0);
    expect(cause?.remedies.map((r) => r.action)).toEqual(expect.arrayContaining(['SEND_TO_FULFILLMENT_CENTER', 'ENABLE_AUTO_FULFILL']));
    expect(cause?.remedies.find((r) => r.action === 'SEND_TO_FULFILLMENT_CENTER')?.params).toMatchObject({ orderId: placed.orderId, sourceId: seller.sources.FBA });

    const sent = await seller.api.orders.sendToFulfillmentCenter({ orderId: placed.orderId, idempotencyKey: 'send-1' });
    expect(sent.lines[0]).toMatchObject({ sourceId: seller.sources.FBA, state: 'allocated' });
    const after = await stockOf(seller, 'MUG');
    expect(after.MF).toMatchObject({ onHand: 0, committed: 0, available: 0 });
    expect(after.FBA).toMatchObject({ onHand: 5, committed: 1, available: 4 });
    expect(await seller.api.negatives.list()).toEqual([]);
    // The retry of the same click changes nothing.
    await seller.api.orders.sendToFulfillmentCenter({ orderId: placed.orderId, idempotencyKey: 'send-1' });
    expect((await stockOf(seller, 'MUG')).FBA).toMatchObject({ committed: 1 });
    // Shipping from FBA: committed turns into units that left.
    await seller.api.orders.markShipped({ orderId: placed.orderId, idempotencyKey: 'ship-1' });
    expect((await stockOf(seller, 'MUG')).FBA).toMatchObject({ onHand: 4, committed: 0, available: 4 });
    expect((await seller.api.orders.get({ orderId: placed.orderId })).status).toBe('shipped');
  });

  it('reason 2: orders keep drawing on MF while nobody counts it there', async () => {
    const seller = await createSeller(db, 'Reason 2');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['TEE'] });
    await seller.api.inventory.setQuantity({ sku: 'TEE', sourceId: seller.sources.MF, onHand: 1, idempotencyKey: 'mf-1' });
    // Time passes: the last count is 40 days old, with the default 30-day setting.
    await db.db.updateTable('balances').set({ last_counted_at: new Date(Date.now() - 40 * 86_400_000) }).where('tenant_id', '=', seller.tenantId).execute();
    await seller.api.orders.ingest(order(channelId, [{ sku: 'TEE', quantity: 3 }]));
    const why = await seller.api.negatives.explain({ sku: 'TEE', sourceId: seller.sources.MF });
    expect(why.available).toBe(-2);
    expect(why.causes[0]).toMatchObject({ reason: 2, code: 'NOT_MANAGED_HERE' });
    expect(why.causes[0]?.message).toMatch(/count/i);
    expect(why.causes[0]?.remedies[0]).toMatchObject({ action: 'SET_QUANTITY', params: { sourceId: seller.sources.MF, sku: 'TEE' } });

    // The seller says inventory is managed elsewhere: same diagnosis, from the setting.
    const other = await createSeller(db, 'Reason 2b');
    await other.api.settings.update({ inventoryManagedElsewhere: true, idempotencyKey: 'elsewhere' });
    const second = await sellerWithChannel(other, { sourceIds: [other.sources.MF], skus: ['CAP'] });
    await other.api.inventory.setQuantity({ sku: 'CAP', sourceId: other.sources.MF, onHand: 0, idempotencyKey: 'mf-0' });
    await other.api.orders.ingest(order(second.channelId, [{ sku: 'CAP', quantity: 1 }]));
    const why2 = await other.api.negatives.explain({ sku: 'CAP', sourceId: other.sources.MF });
    expect(why2.causes[0]).toMatchObject({ reason: 2, code: 'NOT_MANAGED_HERE' });
    expect(why2.causes[0]?.message).toMatch(/elsewhere/i);
    // Counting is the fix.
    await other.api.inventory.setQuantity({ sku: 'CAP', sourceId: other.sources.MF, onHand: 4, idempotencyKey: 'mf-4' });
    expect(await other.api.negatives.list()).toEqual([]);
  });

  it('reason 3: FBA cannot ship to Germany; MF takes the order and cancelling gives it back', async () => {
    const seller = await createSeller(db, 'Reason 3');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.FBA], skus: ['LAMP'] });
    await seller.api.inventory.setQuantity({ sku: 'LAMP', sourceId: seller.sources.FBA, onHand: 9, idempotencyKey: 'fba-9' });
    await seller.api.inventory.setQuantity({ sku: 'LAMP', sourceId: seller.sources.MF, onHand: 0, idempotencyKey: 'mf-0' });
    const placed = await seller.api.orders.ingest(order(channelId, [{ sku: 'LAMP', quantity: 2 }], 'DE'));
    expect(placed.lines[0]).toMatchObject({ sourceId: seller.sources.MF, reason: 'FULFILLMENT_CENTER_CANNOT_FILL' });
    expect(placed.lines[0]?.trace).toContainEqual({ sourceId: seller.sources.FBA, skipped: 'DOES_NOT_SHIP_TO_DESTINATION' });
    const why = await seller.api.negatives.explain({ sku: 'LAMP', sourceId: seller.sources.MF });
    const cause = why.causes.find((c) => c.reason === 3);
    expect(cause?.remedies.map((r) => r.action)).toEqual(expect.arrayContaining(['SET_QUANTITY', 'CANCEL_ORDER']));
    // Sending it to FBA anyway is refused by the rule, and changes nothing.
    const refused = await rejection(seller.api.orders.sendToFulfillmentCenter({ orderId: placed.orderId, sourceId: seller.sources.FBA, idempotencyKey: 'send' }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toMatch(/does not ship to DE/);
    const cancelled = await seller.api.orders.cancel({ channelId, externalOrderId: placed.externalOrderId });
    expect(cancelled.order?.status).toBe('cancelled');
    expect((await stockOf(seller, 'LAMP')).MF).toMatchObject({ committed: 0, available: 0 });
    const history = await seller.api.inventory.history({ sku: 'LAMP', sourceId: seller.sources.MF });
    expect(history.entries[0]).toMatchObject({ reason: 'order_cancelled', bucket: 'committed', delta: -2, orderId: placed.orderId });
    // A repeated cancel is harmless.
    await seller.api.orders.cancel({ channelId, externalOrderId: placed.externalOrderId });
    expect((await seller.api.inventory.history({ sku: 'LAMP', sourceId: seller.sources.MF })).entries).toHaveLength(history.entries.length);
  });

  it('reason 4: an order from a listing onhand does not manage lands on MF with an import remedy', async () => {
    const seller = await createSeller(db, 'Reason 4');
    const { channelId, listings } = await sellerWithChannel(seller, { sourceIds: [seller.sources.FBA], skus: ['VASE'], status: 'untracked' });
    await seller.api.inventory.setQuantity({ sku: 'VASE', sourceId: seller.sources.FBA, onHand: 10, idempotencyKey: 'fba-10' });
    const placed = await seller.api.orders.ingest(order(channelId, [{ sku: 'VASE', quantity: 1 }]));
    expect(placed.lines[0]).toMatchObject({ sourceId: seller.sources.MF, reason: 'UNTRACKED_LISTING', listingId: listings.VASE });
    const why = await seller.api.negatives.explain({ sku: 'VASE', sourceId: seller.sources.MF });
    const cause = why.causes.find((c) => c.reason === 4);
    expect(cause).toMatchObject({ code: 'UNTRACKED_LISTING', listingId: listings.VASE });
    expect(cause?.remedies).toContainEqual(expect.objectContaining({ action: 'IMPORT_LISTING', params: { listingId: listings.VASE } }));
  });

  it('reason 5: nobody has it; MF goes negative until restocked', async () => {
    const seller = await createSeller(db, 'Reason 5');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF, seller.sources.FBA], skus: ['RARE'] });
    await seller.api.inventory.setQuantity({ sku: 'RARE', sourceId: seller.sources.MF, onHand: 1, idempotencyKey: 'mf-1' });
    const placed = await seller.api.orders.ingest(order(channelId, [{ sku: 'RARE', quantity: 2 }]));
    expect(placed.lines[0]).toMatchObject({ sourceId: seller.sources.MF, reason: 'OVERSOLD' });
    expect(placed.lines[0]?.trace).toEqual(
      expect.arrayContaining([
        { sourceId: seller.sources.MF, skipped: 'INSUFFICIENT_QUANTITY' },
        { sourceId: seller.sources.FBA, skipped: 'INSUFFICIENT_QUANTITY' },
        { sourceId: seller.sources.Deliverr, skipped: 'NOT_SOLD_ON_CHANNEL' },
      ]),
    );
    const why = await seller.api.negatives.explain({ sku: 'RARE', sourceId: seller.sources.MF });
    expect(why.causes.find((c) => c.reason === 5)?.remedies.map((r) => r.action)).toEqual(expect.arrayContaining(['SET_QUANTITY', 'CANCEL_ORDER']));
    await seller.api.inventory.adjust({ sku: 'RARE', sourceId: seller.sources.MF, delta: 5, reason: 'received', idempotencyKey: 'restock' });
    expect(await seller.api.negatives.list()).toEqual([]);
    expect((await admin.admin.reconcile({ tenantId: seller.tenantId })).mismatches).toEqual([]);
  });

  it('routes to the FC with stock, lets the marketplace fill its own offers, and holds unknown lines', async () => {
    const seller = await createSeller(db, 'Routing');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.FBA, seller.sources.MF], skus: ['BOWL'] });
    await seller.api.inventory.setQuantity({ sku: 'BOWL', sourceId: seller.sources.FBA, onHand: 3, idempotencyKey: 'fba-3' });
    const placed = await seller.api.orders.ingest({
      ...order(channelId, [{ sku: 'BOWL', quantity: 3 }]),
      lines: [
        { externalLineId: 'a', channelSku: 'EBAY-BOWL', quantity: 3 },
        { externalLineId: 'b', externalId: 'item-NOBODY', quantity: 1 },
      ],
    });
    expect(placed.lines[0]).toMatchObject({ sourceId: seller.sources.FBA, reason: 'ROUTED_TO_FULFILLMENT_CENTER', state: 'allocated' });
    expect(placed.lines[1]).toMatchObject({ reason: 'UNMATCHED', state: 'unmatched' });
    expect(placed.lines[1]?.sourceId).toBeUndefined();
    expect((await stockOf(seller, 'BOWL')).FBA).toMatchObject({ committed: 3, available: 0 });

    const amazon = await seller.api.channels.create({ marketplace: 'amazon', region: 'US', name: 'Amazon US', sourceIds: [seller.sources.MF] });
    await seller.api.listings.upsert({ channelId: amazon.channelId, sku: 'BOWL', channelSku: 'AMZ-BOWL', externalId: 'B000BOWL', fulfilledBy: 'marketplace', status: 'tracked', idempotencyKey: 'amz' });
    await seller.api.inventory.adjust({ sku: 'BOWL', sourceId: seller.sources.FBA, delta: 2, reason: 'received', idempotencyKey: 'fba+2' });
    const fbaOrder = await seller.api.orders.ingest({ channelId: amazon.channelId, externalOrderId: '111-222', placedAt: '2026-11-21T00:00:00Z', shipTo: { country: 'US' }, lines: [{ externalLineId: '1', externalId: 'B000BOWL', quantity: 1 }] });
    expect(fbaOrder.lines[0]).toMatchObject({ sourceId: seller.sources.FBA, reason: 'MARKETPLACE_FULFILLED' });
  });

  it('an order is taken once however often it is delivered, and a cancel that came first wins', async () => {
    const seller = await createSeller(db, 'Duplicates');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['PEN'] });
    await seller.api.inventory.setQuantity({ sku: 'PEN', sourceId: seller.sources.MF, onHand: 10, idempotencyKey: 'mf-10' });
    const payload = order(channelId, [{ sku: 'PEN', quantity: 2 }]);
    const deliveries = await Promise.all(Array.from({ length: 5 }, () => seller.api.orders.ingest(payload)));
    expect(new Set(deliveries.map((d) => d.orderId)).size).toBe(1);
    expect((await stockOf(seller, 'PEN')).MF).toMatchObject({ committed: 2 });
    expect((await seller.api.orders.list({})).orders.filter((o) => o.externalOrderId === payload.externalOrderId)).toHaveLength(1);

    const late = order(channelId, [{ sku: 'PEN', quantity: 4 }]);
    const tomb = await seller.api.orders.cancel({ channelId, externalOrderId: late.externalOrderId });
    expect(tomb).toEqual({ order: null, tombstoned: true });
    const arrived = await seller.api.orders.ingest(late);
    expect(arrived.status).toBe('cancelled');
    expect(arrived.lines.every((l) => l.state === 'cancelled')).toBe(true);
    expect((await stockOf(seller, 'PEN')).MF).toMatchObject({ onHand: 10, committed: 2 });
  });

  it('a line held as unmatched is routed once its listing is known, and only once', async () => {
    const seller = await createSeller(db, 'Rematch');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['KNOWN'] });
    await seller.api.inventory.setQuantity({ sku: 'KNOWN', sourceId: seller.sources.MF, onHand: 5, idempotencyKey: 'mf-5' });
    const placed = await seller.api.orders.ingest({ ...order(channelId, [{ sku: 'KNOWN', quantity: 1 }]), lines: [{ externalLineId: '1', channelSku: 'EBAY-LATER', quantity: 2 }] });
    expect(placed.lines[0]).toMatchObject({ state: 'unmatched', reason: 'UNMATCHED' });
    // Nothing to match yet: the line stays held, nothing moves.
    expect((await seller.api.orders.rematch({ orderId: placed.orderId, idempotencyKey: 'rm-0' })).lines[0]?.state).toBe('unmatched');
    await seller.api.products.upsert({ sku: 'LATER', title: 'Later', idempotencyKey: 'p-later' });
    await seller.api.inventory.setQuantity({ sku: 'LATER', sourceId: seller.sources.MF, onHand: 3, idempotencyKey: 'later-3' });
    await seller.api.listings.upsert({ channelId, sku: 'LATER', channelSku: 'EBAY-LATER', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l-later' });
    const rematched = await seller.api.orders.rematch({ orderId: placed.orderId, idempotencyKey: 'rm-1' });
    expect(rematched.lines[0]).toMatchObject({ state: 'allocated', sku: 'LATER', sourceId: seller.sources.MF, reason: 'ROUTED_TO_SOURCE' });
    await seller.api.orders.rematch({ orderId: placed.orderId, idempotencyKey: 'rm-2' });
    expect((await stockOf(seller, 'LATER')).MF).toMatchObject({ onHand: 3, committed: 2, available: 1 });
  });

  it('refuses bad orders naming the field, writing nothing', async () => {
    const seller = await createSeller(db, 'Bad orders');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['X1'] });
    const good = order(channelId, [{ sku: 'X1', quantity: 1 }]);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, channelId: 'chn_missing' }, 'channelId'],
      [{ ...good, placedAt: 'yesterday' }, 'placedAt'],
      [{ ...good, shipTo: { country: 'Germany' } }, 'shipTo.country'],
      [{ ...good, lines: [] }, 'lines'],
      [{ ...good, lines: [{ externalLineId: '1', quantity: 1 }] }, 'lines.0.channelSku'],
      [{ ...good, lines: [{ externalLineId: '1', channelSku: 'EBAY-X1', quantity: 0 }] }, 'lines.0.quantity'],
      [{ ...good, lines: [{ externalLineId: '1', channelSku: 'EBAY-X1', quantity: 1 }, { externalLineId: '1', channelSku: 'EBAY-X1', quantity: 1 }] }, 'lines'],
    ];
    for (const [input, field] of cases) {
      const error = await rejection(seller.api.orders.ingest(input as never));
      expect(['BAD_REQUEST', 'NOT_FOUND']).toContain(error.code);
      expect(error.message).toContain(field);
    }
    expect((await seller.api.orders.list({})).orders).toEqual([]);
    expect((await rejection(seller.api.orders.get({ orderId: 'ord_missing' }))).code).toBe('NOT_FOUND');
    expect((await rejection(seller.api.orders.markShipped({ orderId: 'ord_missing', idempotencyKey: 'k' }))).code).toBe('NOT_FOUND');
  });
});
