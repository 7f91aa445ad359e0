import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { limits } from '@onhand/shared';
import type { TestDatabase } from '../src/testing';
import { createSeller, databaseKinds, freshDatabase, type SellerFixture } from './support/harness';
import { order, sellerWithChannel } from './support/orders';

describe.each(databaseKinds)('listings on a portal page on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let channelId: string;
  let listings: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Lookup');
    ({ channelId, listings } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF, seller.sources.FBA], skus: ['MUG', 'TEE'] }));
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 4, idempotencyKey: 'mug-mf' });
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.FBA, onHand: 6, idempotencyKey: 'mug-fba' });
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.Deliverr, onHand: 100, idempotencyKey: 'mug-dlv' });
  });
  afterAll(async () => db?.close());

  it('answers a whole page in one call: per-source quantities, published quantity, drift, unknown rows', async () => {
    const { rows } = await seller.api.listings.lookup({
      marketplace: 'ebay',
      rows: [
        { key: 'r1', channelSku: 'EBAY-MUG', displayedQuantity: 10 },
        { key: 'r2', externalId: 'item-TEE', displayedQuantity: 3 },
        { key: 'r3', channelSku: 'NEVER-SEEN', externalId: '999' },
      ],
    });
    const [mug, tee, unknown] = rows;
    expect(mug).toMatchObject({ key: 'r1', match: 'tracked', sku: 'MUG', listingId: listings.MUG, publishedQuantity: 10, warnings: [] });
    expect(Object.fromEntries(mug?.sources.map((s) => [s.sourceName, s.available]) ?? [])).toEqual({ MF: 4, FBA: 6, Deliverr: 100 });
    // Deliverr does not feed this channel: it is shown, not published.
    expect(tee).toMatchObject({ match: 'tracked', sku: 'TEE', publishedQuantity: 0 });
    expect(tee?.warnings).toEqual([expect.objectContaining({ code: 'DRIFT' })]);
    expect(unknown).toMatchObject({ match: 'unknown', sources: [], warnings: [expect.objectContaining({ code: 'UNMATCHED' })] });
  });

  it('warns about a negative source and applies the listing rules', async () => {
    await seller.api.inventory.setQuantity({ sku: 'TEE', sourceId: seller.sources.MF, onHand: 0, idempotencyKey: 'tee-0' });
    await seller.api.orders.ingest(order(channelId, [{ sku: 'TEE', quantity: 2 }]));
    await seller.api.listings.setRules({ listingId: listings.MUG!, percent: 50, buffer: 1, idempotencyKey: 'rules' });
    const { rows } = await seller.api.listings.lookup({ channelId, rows: [{ key: 'mug', channelSku: 'EBAY-MUG', displayedQuantity: 4 }, { key: 'tee', channelSku: 'EBAY-TEE' }] });
    expect(rows[0]).toMatchObject({ publishedQuantity: 4, warnings: [] });
    expect(rows[1]?.warnings).toContainEqual(expect.objectContaining({ code: 'NEGATIVE', sourceId: seller.sources.MF }));
  });

  it('an unknown row reported as seen becomes untracked once, and one click imports it', async () => {
    const seen = { marketplace: 'ebay' as const, rows: [{ channelSku: 'HANDMADE-1', externalId: '555', title: 'Hand-made bowl', displayedQuantity: 2 }] };
    expect(await seller.api.listings.reportSeen(seen)).toEqual({ created: 1 });
    expect(await seller.api.listings.reportSeen(seen)).toEqual({ created: 0 });
    const before = await seller.api.listings.lookup({ marketplace: 'ebay', rows: [{ key: 'b', externalId: '555' }] });
    expect(before.rows[0]).toMatchObject({ match: 'untracked', warnings: [expect.objectContaining({ code: 'UNTRACKED' })] });
    const listingId = before.rows[0]!.listingId!;
    const [first, second] = await Promise.all([
      seller.api.listings.import({ listingId, idempotencyKey: 'import-555' }),
      seller.api.listings.import({ listingId, idempotencyKey: 'import-555' }),
    ]);
    expect(first).toEqual(second);
    expect(first).toMatchObject({ listingId, status: 'tracked', sku: 'HANDMADE-1' });
    const after = await seller.api.listings.lookup({ marketplace: 'ebay', rows: [{ key: 'b', externalId: '555' }] });
    expect(after.rows[0]).toMatchObject({ match: 'tracked', sku: 'HANDMADE-1', title: 'Hand-made bowl', publishedQuantity: 0 });
    expect((await seller.api.products.search({ query: 'HANDMADE' })).products).toHaveLength(1);
    // An import again is harmless.
    expect(await seller.api.listings.import({ listingId, idempotencyKey: 'import-again' })).toMatchObject({ status: 'tracked' });
  });

  it('a page on a marketplace with no channel yet creates one when it reports rows', async () => {
    expect(await seller.api.listings.reportSeen({ marketplace: 'etsy', region: 'GB', rows: [{ externalId: '1501' }] })).toEqual({ created: 1 });
    expect((await seller.api.channels.list()).find((c) => c.marketplace === 'etsy')).toMatchObject({ name: 'Etsy GB', region: 'GB' });
  });

  it('queues the published quantity in the outbox in the same transaction, bundles moving with their components', async () => {
    await seller.api.products.upsert({ sku: 'KIT', title: 'Mug pair', components: [{ sku: 'MUG', quantity: 2 }], idempotencyKey: 'kit' });
    const kit = await seller.api.listings.upsert({ channelId, sku: 'KIT', channelSku: 'EBAY-KIT', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l-kit' });
    const desiredOf = async (listingId: string) =>
      (await db.db.selectFrom('listing_pushes').select(['desired', 'version', 'state']).where('tenant_id', '=', seller.tenantId).where('listing_id', '=', listingId).executeTakeFirst());
    // MF 4 + FBA 6 mugs feed this channel: 5 kits of two.
    expect(await desiredOf(kit.listingId)).toMatchObject({ desired: 5, state: 'pending' });
    const before = await desiredOf(kit.listingId);
    await seller.api.inventory.adjust({ sku: 'MUG', sourceId: seller.sources.FBA, delta: 4, reason: 'received', idempotencyKey: 'mug+4' });
    const after = await desiredOf(kit.listingId);
    expect(after).toMatchObject({ desired: 7, state: 'pending' });
    expect(after!.version).toBe(before!.version + 1);
    // A change that does not move the published number queues nothing new.
    await seller.api.inventory.adjust({ sku: 'MUG', sourceId: seller.sources.Deliverr, delta: 1, reason: 'found', idempotencyKey: 'dlv+1' });
    expect((await desiredOf(kit.listingId))!.version).toBe(after!.version);
    const { rows } = await seller.api.listings.lookup({ channelId, rows: [{ key: 'kit', channelSku: 'EBAY-KIT' }] });
    expect(rows[0]).toMatchObject({ publishedQuantity: 7, push: { state: 'pending', desired: 7, pushed: null } });
  });

  it('refuses bad lookups naming the field', async () => {
    const bad: [unknown, string][] = [
      [{ rows: [{ key: 'a', channelSku: 'x' }] }, 'channelId'],
      [{ marketplace: 'ebay', rows: [] }, 'rows'],
      [{ marketplace: 'ebay', rows: [{ key: 'a' }] }, 'rows.0.channelSku'],
      [{ marketplace: 'ebay', rows: [{ key: 'a', channelSku: 'x' }, { key: 'a', channelSku: 'y' }] }, 'rows'],
      [{ marketplace: 'ebay', rows: Array.from({ length: limits.batchMax + 1 }, (_, i) => ({ key: `k${i}`, channelSku: `s${i}` })) }, 'rows'],
      [{ marketplace: 'myspace', rows: [{ key: 'a', channelSku: 'x' }] }, 'marketplace'],
      [{ channelId: 'chn_nope', rows: [{ key: 'a', channelSku: 'x' }] }, 'channelId'],
    ];
    for (const [input, field] of bad) {
      const error = await seller.api.listings.lookup(input as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).message).toContain(field);
    }
  });
});
