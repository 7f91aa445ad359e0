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

describe.each(databaseKinds)('which listing answers a portal row on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let usChannelId: string;
  let listings: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Rows');
    ({ channelId: usChannelId, listings } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['MUG', 'TEE'] }));
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 5, idempotencyKey: 'mug-mf' });
    await seller.api.inventory.setQuantity({ sku: 'TEE', sourceId: seller.sources.MF, onHand: 2, idempotencyKey: 'tee-mf' });
  });
  afterAll(async () => db?.close());

  it('matches by channel SKU first, then by item id; the same listing on two rows answers both alike', async () => {
    const { rows } = await seller.api.listings.lookup({
      marketplace: 'ebay',
      rows: [
        { key: 'both', channelSku: 'EBAY-MUG', externalId: 'item-TEE' },
        { key: 'id-only', channelSku: 'NOT-A-LISTING', externalId: 'item-TEE' },
        { key: 'again', externalId: 'item-MUG' },
        // Another row's channel SKU found the mug; this one's names nothing: its item id still counts.
        { key: 'unknown-sku', channelSku: 'NOT-A-LISTING-EITHER', externalId: 'item-MUG' },
      ],
    });
    expect(rows.map((r) => [r.key, r.sku, r.listingId])).toEqual([
      ['both', 'MUG', listings.MUG],
      ['id-only', 'TEE', listings.TEE],
      ['again', 'MUG', listings.MUG],
      ['unknown-sku', 'MUG', listings.MUG],
    ]);
    const { key: _both, ...first } = rows[0]!;
    const { key: _again, ...third } = rows[2]!;
    expect(third).toEqual(first);
    // Each row is its own answer: changing one leaves the other alone.
    const mfOf = (row: (typeof rows)[number]) => row.sources.find((s) => s.sourceId === seller.sources.MF)!;
    mfOf(rows[0]!).available = -99;
    rows[0]!.warnings.push({ code: 'DRIFT', message: 'x' });
    expect(mfOf(rows[2]!).available).toBe(5);
    expect(rows[2]!.warnings).toEqual([]);
  });

  it('reads the channel of the page’s region, or every channel of the marketplace when none is in that region', async () => {
    const gb = await seller.api.channels.create({ marketplace: 'ebay', region: 'GB', name: 'eBay GB', sourceIds: [seller.sources.MF] });
    await seller.api.listings.upsert({ channelId: gb.channelId, sku: 'MUG', channelSku: 'GB-MUG', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'gb-mug' });
    const page = [
      { key: 'us', channelSku: 'EBAY-MUG' },
      { key: 'gb', channelSku: 'GB-MUG' },
    ];
    const matchOf = async (region?: string) =>
      (await seller.api.listings.lookup({ marketplace: 'ebay', ...(region ? { region } : {}), rows: page })).rows.map((r) => [r.key, r.match, r.channelId ?? null]);
    expect(await matchOf('GB')).toEqual([
      ['us', 'unknown', null],
      ['gb', 'tracked', gb.channelId],
    ]);
    expect(await matchOf('US')).toEqual([
      ['us', 'tracked', usChannelId],
      ['gb', 'unknown', null],
    ]);
    for (const region of ['FR', undefined]) {
      expect(await matchOf(region)).toEqual([
        ['us', 'tracked', usChannelId],
        ['gb', 'tracked', gb.channelId],
      ]);
    }
    // A named channel is that channel alone, whatever the region says.
    expect((await seller.api.listings.lookup({ channelId: gb.channelId, region: 'US', rows: page })).rows.map((r) => r.match)).toEqual(['unknown', 'tracked']);
  });

  it('two channels of the page listing one identifier: the first channel by name answers', async () => {
    const other = await seller.api.channels.create({ marketplace: 'ebay', region: 'DE', name: 'AAA eBay DE', sourceIds: [seller.sources.MF] });
    await seller.api.listings.upsert({ channelId: other.channelId, sku: 'TEE', channelSku: 'EBAY-MUG', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'de-clash' });
    const { rows } = await seller.api.listings.lookup({ marketplace: 'ebay', region: 'FR', rows: [{ key: 'clash', channelSku: 'EBAY-MUG' }] });
    expect(rows[0]).toMatchObject({ channelId: other.channelId, sku: 'TEE' });
  });

  it('a marketplace-fulfilled listing publishes nothing and never drifts; an untracked listing of a known product still shows its stock', async () => {
    const fba = await seller.api.channels.create({ marketplace: 'amazon', region: 'US', name: 'Amazon US', sourceIds: [seller.sources.MF] });
    await seller.api.listings.upsert({ channelId: fba.channelId, sku: 'MUG', channelSku: 'MUG-FBA', fulfilledBy: 'marketplace', status: 'tracked', idempotencyKey: 'fba-mug' });
    await seller.api.listings.reportSeen({ marketplace: 'amazon', region: 'US', rows: [{ channelSku: 'TEE', displayedQuantity: 9 }] });
    const { rows } = await seller.api.listings.lookup({
      marketplace: 'amazon',
      region: 'US',
      rows: [
        { key: 'fba', channelSku: 'MUG-FBA', displayedQuantity: 40 },
        { key: 'seen', channelSku: 'TEE', displayedQuantity: 9 },
      ],
    });
    expect(rows[0]).toMatchObject({ match: 'tracked', fulfilledBy: 'marketplace', warnings: [] });
    expect(rows[0]).not.toHaveProperty('publishedQuantity');
    expect(rows[1]).toMatchObject({ match: 'untracked', sku: 'TEE', warnings: [expect.objectContaining({ code: 'UNTRACKED' })] });
    expect(rows[1]?.sources.find((s) => s.sourceId === seller.sources.MF)).toMatchObject({ onHand: 2, available: 2 });
    expect(rows[1]).not.toHaveProperty('publishedQuantity');
  });

  it('a bundle row shows kits per source and warns about a negative component', async () => {
    await seller.api.products.upsert({ sku: 'SET', title: 'Mug and tee', components: [{ sku: 'MUG', quantity: 2 }, { sku: 'TEE', quantity: 1 }], idempotencyKey: 'set' });
    await seller.api.listings.upsert({ channelId: usChannelId, sku: 'SET', channelSku: 'EBAY-SET', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l-set' });
    const kitsAtMf = async () => (await seller.api.listings.lookup({ channelId: usChannelId, rows: [{ key: 'set', channelSku: 'EBAY-SET', displayedQuantity: 2 }] })).rows[0]!;
    // MF: 5 mugs make 2 pairs, 2 tees: 2 sets.
    expect(await kitsAtMf()).toMatchObject({ sku: 'SET', publishedQuantity: 2, warnings: [] });
    expect((await kitsAtMf()).sources.find((s) => s.sourceId === seller.sources.MF)).toMatchObject({ available: 2 });
    await seller.api.orders.ingest(order(usChannelId, [{ sku: 'TEE', quantity: 3 }]));
    const after = await kitsAtMf();
    expect(after).toMatchObject({ publishedQuantity: 0 });
    expect(after.sources.find((s) => s.sourceId === seller.sources.MF)).toMatchObject({ available: 0 });
    expect(after.warnings.map((w) => [w.code, w.sourceId])).toEqual([
      ['NEGATIVE', seller.sources.MF],
      ['DRIFT', undefined],
    ]);
    expect(after.warnings[0]?.message).toContain('TEE');
  });
});
