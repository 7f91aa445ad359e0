import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformScope, withScope, type TestDatabase } from '../src/testing';
import { createSeller, databaseKinds, freshDatabase, type SellerFixture } from './support/harness';
import { order, sellerWithChannel } from './support/orders';

describe.each(databaseKinds)('search.catalog and search.attention on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let other: SellerFixture;
  let channelId: string;
  let listings: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Searcher');
    other = await createSeller(db, 'Neighbour');
    // eBay sells from MF only, so an order for TEE (no MF stock) takes MF negative.
    ({ channelId, listings } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['MUG-11', 'TEE-M', 'XMUG'] }));
    await seller.api.products.upsert({ sku: 'LAMP', title: 'Desk lamp with mug holder', idempotencyKey: 'p-lamp' });
    await seller.api.products.upsert({ sku: '100%_COTTON', title: 'Literal percent', idempotencyKey: 'p-pct' });
    await seller.api.inventory.setQuantity({ sku: 'MUG-11', sourceId: seller.sources.MF, onHand: 7, idempotencyKey: 'q1' });
    await seller.api.inventory.setQuantity({ sku: 'MUG-11', sourceId: seller.sources.FBA, onHand: 3, idempotencyKey: 'q2' });
    await seller.api.orders.ingest(order(channelId, [{ sku: 'TEE-M', quantity: 2 }]));
    await seller.api.listings.reportSeen({ marketplace: 'ebay', rows: [{ channelSku: 'OLD-LISTING', externalId: 'item-OLD', title: 'Old listing' }] });
    await other.api.products.upsert({ sku: 'MUG-OTHER', title: 'Another tenant mug', idempotencyKey: 'p-o' });
  });
  afterAll(async () => db?.close());

  it('finds by SKU prefix first, then substring in SKU and title, over the tenant only', async () => {
    const { results } = await seller.api.search.catalog({ query: 'mug' });
    expect(results.map((r) => r.sku)).toEqual(['MUG-11', 'LAMP', 'XMUG']);
    expect(results[0]).toMatchObject({ matchedOn: 'sku', title: 'Product MUG-11', isBundle: false, totalAvailable: 10 });
    expect(results[1]?.matchedOn).toBe('title');
    const mf = results[0]?.sources.find((s) => s.sourceId === seller.sources.MF);
    expect(mf).toMatchObject({ sourceName: 'MF', kind: 'merchant', onHand: 7, committed: 0, available: 7 });
  });

  it('finds by a listing identifier (channel SKU or marketplace id) and shows each listing with what it publishes', async () => {
    const { results } = await seller.api.search.catalog({ query: 'item-MUG' });
    expect(results.map((r) => r.sku)).toEqual(['MUG-11']);
    expect(results[0]?.matchedOn).toBe('listing');
    expect(results[0]?.listings).toEqual([
      expect.objectContaining({ listingId: listings['MUG-11'], channelId, marketplace: 'ebay', status: 'tracked', channelSku: 'EBAY-MUG-11', externalId: 'item-MUG-11', publishedQuantity: 7 }),
    ]);
    expect((await seller.api.search.catalog({ query: 'EBAY-TEE' })).results.map((r) => r.sku)).toEqual(['TEE-M']);
  });

  it('warns about negatives per source, matches %, _ literally, and answers an empty query with nothing', async () => {
    const [tee] = (await seller.api.search.catalog({ query: 'TEE-M' })).results;
    expect(tee?.warnings).toEqual([expect.objectContaining({ code: 'NEGATIVE', sourceId: seller.sources.MF })]);
    expect(tee?.sources.find((s) => s.sourceId === seller.sources.MF)).toMatchObject({ onHand: 0, committed: 2, available: -2 });
    expect((await seller.api.search.catalog({ query: '100%_' })).results.map((r) => r.sku)).toEqual(['100%_COTTON']);
    expect((await seller.api.search.catalog({ query: '%' })).results.map((r) => r.sku)).toEqual(['100%_COTTON']);
    expect((await seller.api.search.catalog({ query: '   ' })).results).toEqual([]);
    expect((await seller.api.search.catalog({ query: 'M', limit: 2 })).results).toHaveLength(2);
    expect((await other.api.search.catalog({ query: 'mug' })).results.map((r) => r.sku)).toEqual(['MUG-OTHER']);
  });

  it('rejects unknown keys and over-long queries', async () => {
    await expect(seller.api.search.catalog({ query: 'x', extra: 1 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(seller.api.search.catalog({ query: 'x'.repeat(201) })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lists everything that needs attention, with counts: negatives with causes, untracked listings, failed pushes', async () => {
    await db.db
      .updateTable('listing_pushes')
      .set({ state: 'failed', last_error: 'marketplace said <b>no</b>' })
      .where('tenant_id', '=', seller.tenantId)
      .where('listing_id', '=', listings['MUG-11']!)
      .execute();
    const attention = await seller.api.search.attention();
    expect(attention.counts).toEqual({ negatives: 1, untracked: 1, failedPushes: 1, drifting: 0, total: 3 });
    expect(attention.negatives).toEqual([
      expect.objectContaining({ sku: 'TEE-M', title: 'Product TEE-M', sourceId: seller.sources.MF, sourceName: 'MF', available: -2, since: expect.any(String) }),
    ]);
    expect(attention.negatives[0]?.causes?.[0]?.remedies.map((r) => r.action)).toContain('SET_QUANTITY');
    expect(attention.untracked).toEqual([expect.objectContaining({ channelId, marketplace: 'ebay', channelSku: 'OLD-LISTING', externalId: 'item-OLD', title: 'Old listing' })]);
    expect(attention.failedPushes).toEqual([expect.objectContaining({ listingId: listings['MUG-11'], sku: 'MUG-11', error: 'marketplace said <b>no</b>' })]);
    const [mug] = (await seller.api.search.catalog({ query: 'MUG-11' })).results;
    expect(mug?.warnings).toEqual([expect.objectContaining({ code: 'PUSH_FAILED', listingId: listings['MUG-11'] })]);

    // Fixing the causes empties the list.
    await seller.api.inventory.setQuantity({ sku: 'TEE-M', sourceId: seller.sources.MF, onHand: 2, idempotencyKey: 'fix-tee' });
    await seller.api.listings.import({ listingId: attention.untracked[0]!.listingId, idempotencyKey: 'imp' });
    expect((await seller.api.search.attention()).counts).toMatchObject({ negatives: 0, untracked: 0 });
    expect((await other.api.search.attention()).counts.total).toBe(0);
  });

  it('lists a listing whose page shows another quantity than onhand publishes, until the page agrees again', async () => {
    const lookup = (displayedQuantity: number) =>
      seller.api.listings.lookup({ channelId, rows: [{ key: 'mug', channelSku: 'EBAY-MUG-11', displayedQuantity }, { key: 'tee', channelSku: 'EBAY-TEE-M' }] });
    const published = (await lookup(7)).rows[0]?.publishedQuantity;
    expect(published).toBe(7); // eBay sells from MF: 7 mugs
    expect((await seller.api.search.attention()).counts.drifting).toBe(0);

    const page = await lookup(12);
    expect(page.rows[0]?.warnings.map((w) => w.code)).toContain('DRIFT');
    const attention = await seller.api.search.attention();
    expect(attention.counts).toMatchObject({ drifting: 1 });
    expect(attention.counts.total).toBe(attention.counts.negatives + attention.counts.untracked + attention.counts.failedPushes + 1);
    expect(attention.drifting).toEqual([
      expect.objectContaining({ listingId: listings['MUG-11'], channelId, marketplace: 'ebay', sku: 'MUG-11', channelSku: 'EBAY-MUG-11', displayed: 12, published: 7, seenAt: expect.any(String) }),
    ]);
    const [mug] = (await seller.api.search.catalog({ query: 'MUG-11' })).results;
    expect(mug?.warnings).toContainEqual(expect.objectContaining({ code: 'DRIFT', listingId: listings['MUG-11'], message: expect.stringContaining('shows 12') }));
    expect((await other.api.search.attention()).counts.drifting).toBe(0);

    // Stock moves so that onhand now publishes what the page showed: no drift.
    await seller.api.inventory.setQuantity({ sku: 'MUG-11', sourceId: seller.sources.MF, onHand: 12, idempotencyKey: 'mug-12' });
    expect((await seller.api.search.attention()).counts.drifting).toBe(0);
    await seller.api.inventory.setQuantity({ sku: 'MUG-11', sourceId: seller.sources.MF, onHand: 7, idempotencyKey: 'mug-7' });
    expect((await seller.api.search.attention()).counts.drifting).toBe(1);

    // The marketplace acknowledges a newer quantity after the page was seen: the page shows that one now.
    await db.db
      .updateTable('listing_pushes')
      .set({ state: 'acknowledged', acknowledged: 7, acknowledged_at: sql<Date>`now()` })
      .where('tenant_id', '=', seller.tenantId)
      .where('listing_id', '=', listings['MUG-11']!)
      .execute();
    expect((await seller.api.search.attention()).counts.drifting).toBe(0);
    // ... until a page shows the wrong number again; a page showing the published one clears it for good.
    await lookup(12);
    expect((await seller.api.search.attention()).counts.drifting).toBe(1);
    await lookup(7);
    expect((await seller.api.search.attention()).counts.drifting).toBe(0);
    expect((await seller.api.search.catalog({ query: 'MUG-11' })).results[0]?.warnings.map((w) => w.code)).not.toContain('DRIFT');
  });
});

describe.each(databaseKinds)('orders.list by SKU on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let other: SellerFixture;
  let channelId: string;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Orders by SKU');
    other = await createSeller(db, 'Other');
    ({ channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['CUP', 'PLATE'] }));
    await sellerWithChannel(other, { sourceIds: [other.sources.MF], skus: ['CUP'] });
    await seller.api.inventory.setQuantity({ sku: 'CUP', sourceId: seller.sources.MF, onHand: 50, idempotencyKey: 'cup' });
  });
  afterAll(async () => db?.close());

  it("answers a SKU's orders, newest first, with their lines' routing; by status, in pages; another tenant's stay out", async () => {
    const first = await seller.api.orders.ingest(order(channelId, [{ sku: 'CUP', quantity: 1 }]));
    const both = await seller.api.orders.ingest(order(channelId, [{ sku: 'PLATE', quantity: 2 }, { sku: 'CUP', quantity: 3 }]));
    const plateOnly = await seller.api.orders.ingest(order(channelId, [{ sku: 'PLATE', quantity: 1 }]));
    const shipped = await seller.api.orders.ingest(order(channelId, [{ sku: 'CUP', quantity: 1 }]));
    await seller.api.orders.markShipped({ orderId: shipped.orderId, idempotencyKey: 'ship' });
    await other.api.orders.ingest(order((await other.api.channels.list())[0]!.channelId, [{ sku: 'CUP', quantity: 1 }]));

    const open = await seller.api.orders.list({ sku: 'CUP', status: 'open' });
    expect(open.orders.map((o) => o.orderId)).toEqual([both.orderId, first.orderId]);
    expect(open.nextCursor).toBeNull();
    const cupLine = open.orders[0]?.lines.find((l) => l.sku === 'CUP');
    expect(cupLine).toMatchObject({ quantity: 3, sourceId: seller.sources.MF, reason: 'ROUTED_TO_SOURCE', state: 'allocated', trace: expect.any(Array) });
    // PLATE went negative at MF (no stock): the fallback reason and its trace.
    expect(open.orders[0]?.lines.find((l) => l.sku === 'PLATE')).toMatchObject({ reason: 'OVERSOLD', sourceId: seller.sources.MF });
    expect((await seller.api.orders.list({ sku: 'CUP' })).orders.map((o) => o.orderId)).toEqual([shipped.orderId, both.orderId, first.orderId]);
    expect((await seller.api.orders.list({ sku: 'PLATE', status: 'open' })).orders.map((o) => o.orderId)).toEqual([plateOnly.orderId, both.orderId]);

    const page1 = await seller.api.orders.list({ sku: 'CUP', limit: 2 });
    expect(page1.orders).toHaveLength(2);
    const page2 = await seller.api.orders.list({ sku: 'CUP', limit: 2, cursor: page1.nextCursor! });
    expect([...page1.orders, ...page2.orders].map((o) => o.orderId)).toEqual([shipped.orderId, both.orderId, first.orderId]);
    expect(page2.nextCursor).toBeNull();
    expect((await seller.api.orders.list({ sku: 'NOT-A-SKU' })).orders).toEqual([]);
    expect((await other.api.orders.list({ sku: 'CUP' })).orders).toHaveLength(1);
  });

  it('refuses a SKU that cannot be one, naming the field', async () => {
    await expect(seller.api.orders.list({ sku: ' padded ' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('sku') });
    await expect(seller.api.orders.list({ sku: 'x'.repeat(256) })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('sku') });
  });
});

describe.each(databaseKinds)('search.catalog ranking on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Ranking');
    const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['CUP-1', 'CUP-10', 'CUP-2', 'XCUP-1', 'TEACUP'] });
    await seller.api.products.upsert({ sku: 'HOLDER-9', title: 'Cup holder, oak', idempotencyKey: 'p-holder' });
    // A listing whose channel SKU starts like the query although its product's SKU does not.
    await seller.api.listings.upsert({ channelId, sku: 'HOLDER-9', channelSku: 'CUP-HOLDER', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l-holder' });
  });
  afterAll(async () => db?.close());

  const skus = async (query: string, limit?: number) =>
    (await seller.api.search.catalog(limit === undefined ? { query } : { query, limit })).results.map((r) => `${r.sku}:${r.matchedOn}`);

  it('lists SKU prefixes, then identifier prefixes, title prefixes, then substrings, each by the matched text, case-insensitively', async () => {
    expect(await skus('cUp')).toEqual(['CUP-1:sku', 'CUP-10:sku', 'CUP-2:sku', 'HOLDER-9:listing', 'TEACUP:sku', 'XCUP-1:sku']);
    expect(await skus('cup', 2)).toEqual(['CUP-1:sku', 'CUP-10:sku']);
    expect(await skus('cup h')).toEqual(['HOLDER-9:title']);
    expect(await skus('oak')).toEqual(['HOLDER-9:title']); // a word inside a title
  });

  it('answers a whole SKU or identifier with its prefixes only, not with everything containing it', async () => {
    expect(await skus('CUP-1')).toEqual(['CUP-1:sku', 'CUP-10:sku']); // not XCUP-1
    expect(await skus('item-cup-1')).toEqual(['CUP-1:listing', 'CUP-10:listing']);
    expect(await skus('UP-1')).toEqual(['CUP-1:sku', 'CUP-10:sku', 'XCUP-1:sku']); // no prefix: substrings
  });

  it('finds nothing for a connection that names no tenant, though the search reads as the tables\' owner', async () => {
    const rows = await withScope(platformScope, () => sql`select * from catalog_search_matches('cup', 20)`.execute(db.db));
    expect(rows.rows).toEqual([]);
  });
});
