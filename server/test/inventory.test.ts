import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '@onhand/shared';
import type { TestDatabase } from '../src/testing';
import { createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';
import { rejection } from './support/errors';


async function ledgerCount(db: TestDatabase): Promise<number> {
  const row = await db.db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(databaseKinds)('inventory ledger on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let admin: Api;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db);
    admin = await createAdmin(db);
    await seller.api.products.upsert({ sku: 'MUG', title: 'Mug', idempotencyKey: 'p-mug' });
    await seller.api.products.upsert({ sku: 'TEE', title: 'Tee', idempotencyKey: 'p-tee' });
  });
  afterAll(async () => db?.close());

  it('a count becomes the delta that reaches it, with the balance after, reason and actor', async () => {
    const first = await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 12, idempotencyKey: 'count-1', note: 'shelf count' });
    expect(first.entry).toMatchObject({ sku: 'MUG', sourceId: seller.sources.MF, bucket: 'on_hand', delta: 12, balanceAfter: 12, reason: 'count', note: 'shelf count' });
    expect(first.entry.actor).toContain('Seller token');
    const second = await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 7, idempotencyKey: 'count-2' });
    expect(second.entry).toMatchObject({ delta: -5, balanceAfter: 7 });
    expect(second.balance).toEqual({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 7, committed: 0, available: 7 });

    const { items, unknownSkus } = await seller.api.inventory.bySkus({ skus: ['MUG', 'NOT-A-SKU'] });
    expect(unknownSkus).toEqual(['NOT-A-SKU']);
    const mf = items[0]?.sources.find((s) => s.sourceId === seller.sources.MF);
    expect(mf).toMatchObject({ sourceName: 'MF', kind: 'merchant', onHand: 7, committed: 0, available: 7 });
    expect(items[0]?.sources).toHaveLength(3);
    expect(items[0]?.totalAvailable).toBe(7);
  });

  it('adjusts with a reason and refuses what a reason cannot mean, writing nothing', async () => {
    await seller.api.inventory.adjust({ sku: 'TEE', sourceId: seller.sources.FBA, delta: 10, reason: 'received', idempotencyKey: 'adj-1' });
    const before = await ledgerCount(db);
    const cases = [
      { input: { delta: -1, reason: 'received' as const }, rule: 'REASON_REQUIRES_INCREASE' },
      { input: { delta: 2, reason: 'damaged' as const }, rule: 'REASON_REQUIRES_DECREASE' },
      { input: { delta: -11, reason: 'lost' as const }, rule: 'INSUFFICIENT_ON_HAND' },
      { input: { delta: limits.quantityMax, reason: 'found' as const }, rule: 'QUANTITY_OUT_OF_RANGE' },
    ];
    for (const [i, c] of cases.entries()) {
      const error = await rejection(seller.api.inventory.adjust({ sku: 'TEE', sourceId: seller.sources.FBA, ...c.input, idempotencyKey: `bad-${i}` }));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(/^delta: /);
      expect((error.cause as { details?: { rule?: string } }).details?.rule).toBe(c.rule);
    }
    expect(await ledgerCount(db)).toBe(before);
    const { items } = await seller.api.inventory.bySkus({ skus: ['TEE'] });
    expect(items[0]?.sources.find((s) => s.sourceId === seller.sources.FBA)?.onHand).toBe(10);
  });

  it('refuses bad input with an error naming the field and writes nothing', async () => {
    const before = await ledgerCount(db);
    const base = { sku: 'MUG', sourceId: seller.sources.MF, onHand: 1, idempotencyKey: 'bad-input' };
    const cases: { input: Record<string, unknown>; code: string; field: string }[] = [
      { input: { ...base, sku: 'NOPE' }, code: 'NOT_FOUND', field: 'sku' },
      { input: { ...base, sourceId: 'src_unknown' }, code: 'NOT_FOUND', field: 'sourceId' },
      { input: { ...base, onHand: 1.5 }, code: 'BAD_REQUEST', field: 'onHand' },
      { input: { ...base, onHand: -1 }, code: 'BAD_REQUEST', field: 'onHand' },
      { input: { ...base, onHand: 1e12 }, code: 'BAD_REQUEST', field: 'onHand' },
      { input: { ...base, onHand: '5' }, code: 'BAD_REQUEST', field: 'onHand' },
      { input: { ...base, sku: 'A\u0000B' }, code: 'BAD_REQUEST', field: 'sku' },
      { input: { ...base, sku: 'x'.repeat(limits.skuLengthMax + 1) }, code: 'BAD_REQUEST', field: 'sku' },
      { input: { ...base, sku: ' MUG' }, code: 'BAD_REQUEST', field: 'sku' },
      { input: { ...base, sku: '' }, code: 'BAD_REQUEST', field: 'sku' },
      { input: { ...base, idempotencyKey: '' }, code: 'BAD_REQUEST', field: 'idempotencyKey' },
      { input: { ...base, sneaky: true }, code: 'BAD_REQUEST', field: 'sneaky' },
      { input: { ...base, __proto__: { polluted: true }, constructor: 'x' }, code: 'BAD_REQUEST', field: 'constructor' },
    ];
    for (const c of cases) {
      const error = await rejection(seller.api.inventory.setQuantity(c.input as never));
      expect(error.code, JSON.stringify(c.input).slice(0, 80)).toBe(c.code);
      expect(error.message).toContain(c.field);
    }
    const empty = await rejection(seller.api.inventory.bySkus({ skus: [] }));
    expect(empty.message).toContain('skus');
    const tooMany = await rejection(seller.api.inventory.bySkus({ skus: Array.from({ length: limits.batchMax + 1 }, (_, i) => `S${i}`) }));
    expect(tooMany.message).toContain('skus');
    expect(await ledgerCount(db)).toBe(before);
  });

  it('a bundle holds no stock and shows as many kits as its scarcest component makes', async () => {
    await seller.api.products.upsert({ sku: 'KIT', title: 'Mug + 2 tees', components: [{ sku: 'MUG', quantity: 1 }, { sku: 'TEE', quantity: 2 }], idempotencyKey: 'p-kit' });
    await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.FBA, onHand: 9, idempotencyKey: 'kit-mug' });
    const { items } = await seller.api.inventory.bySkus({ skus: ['KIT'] });
    expect(items[0]?.isBundle).toBe(true);
    // FBA: 9 mugs, 10 tees → min(9/1, 10/2) = 5 kits.
    expect(items[0]?.sources.find((s) => s.sourceId === seller.sources.FBA)?.available).toBe(5);
    const error = await rejection(seller.api.inventory.setQuantity({ sku: 'KIT', sourceId: seller.sources.MF, onHand: 3, idempotencyKey: 'kit-stock' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain('bundle');
    const nested = await rejection(seller.api.products.upsert({ sku: 'BIG', title: 'x', components: [{ sku: 'KIT', quantity: 1 }], idempotencyKey: 'p-big' }));
    expect(nested.message).toContain('components.0.sku');
  });

  it('history is newest first, paged, with every reference', async () => {
    await seller.api.products.upsert({ sku: 'HIST', title: 'History', idempotencyKey: 'p-hist' });
    for (let i = 1; i <= 5; i += 1) {
      await seller.api.inventory.adjust({ sku: 'HIST', sourceId: seller.sources.MF, delta: i, reason: 'received', idempotencyKey: `hist-${i}` });
    }
    const page1 = await seller.api.inventory.history({ sku: 'HIST', limit: 2 });
    expect(page1.entries.map((e) => e.balanceAfter)).toEqual([15, 10]);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await seller.api.inventory.history({ sku: 'HIST', limit: 2, cursor: page1.nextCursor! });
    expect(page2.entries.map((e) => e.delta)).toEqual([3, 2]);
    const page3 = await seller.api.inventory.history({ sku: 'HIST', limit: 2, cursor: page2.nextCursor! });
    expect(page3.entries.map((e) => e.delta)).toEqual([1]);
    expect(page3.nextCursor).toBeNull();
    expect((await rejection(seller.api.inventory.history({ sku: 'HIST', cursor: 'abc' }))).message).toContain('cursor');
  });

  it('a retried request takes effect once; a reused key with another payload is a conflict', async () => {
    await seller.api.products.upsert({ sku: 'IDEM', title: 'Idem', idempotencyKey: 'p-idem' });
    const request = { sku: 'IDEM', sourceId: seller.sources.MF, delta: 4, reason: 'found' as const, idempotencyKey: 'same-key' };
    const results = await Promise.all(Array.from({ length: 5 }, () => seller.api.inventory.adjust(request)));
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    const history = await seller.api.inventory.history({ sku: 'IDEM' });
    expect(history.entries).toHaveLength(1);
    expect(history.entries[0]?.balanceAfter).toBe(4);
    const conflict = await rejection(seller.api.inventory.adjust({ ...request, delta: 5 }));
    expect(conflict.code).toBe('CONFLICT');
    expect(conflict.message).toContain('idempotencyKey');
    const otherProcedure = await rejection(seller.api.inventory.setQuantity({ sku: 'IDEM', sourceId: seller.sources.MF, onHand: 4, idempotencyKey: 'same-key' }));
    expect(otherProcedure.code).toBe('CONFLICT');
  });

  it('keeps exactly one default source', async () => {
    const before = await seller.api.sources.list();
    expect(before.filter((s) => s.isDefault).map((s) => s.name)).toEqual(['MF']);
    await seller.api.sources.update({ sourceId: seller.sources.Deliverr, isDefault: true, shipsTo: ['US', 'CA', 'US'], idempotencyKey: 'default-deliverr' });
    const after = await seller.api.sources.list();
    expect(after.filter((s) => s.isDefault).map((s) => s.name)).toEqual(['Deliverr']);
    expect(after.find((s) => s.name === 'Deliverr')?.shipsTo).toEqual(['US', 'CA']);
    const unset = await rejection(seller.api.sources.update({ sourceId: seller.sources.Deliverr, isDefault: false as never, idempotencyKey: 'unset' }));
    expect(unset.message).toContain('isDefault');
    const badCountry = await rejection(seller.api.sources.update({ sourceId: seller.sources.MF, shipsTo: ['usa'], idempotencyKey: 'bad-country' }));
    expect(badCountry.message).toContain('shipsTo.0');
    await seller.api.sources.update({ sourceId: seller.sources.MF, isDefault: true, idempotencyKey: 'default-mf' });
  });

  it('setQuantities counts many SKUs in one call: unchanged rows write no entry, a repeat writes nothing, what changed is republished', async () => {
    const MF = seller.sources.MF;
    const channel = await seller.api.channels.create({ marketplace: 'ebay', region: 'US', name: 'eBay bulk', sourceIds: [MF] });
    const before = await ledgerCount(db);
    const first = {
      sourceId: MF,
      rows: [
        { sku: 'BULK-1', onHand: 5, title: 'Bulk one', note: 'import line 2' },
        { sku: 'BULK-2', onHand: 0, title: 'Bulk two' },
        { sku: 'BULK-3', onHand: 7, title: 'Bulk three' },
      ],
      idempotencyKey: 'bulk-1',
    };
    const result = await seller.api.inventory.setQuantities(first);
    expect(result).toMatchObject({ entriesWritten: 2, productsCreated: 3, replayed: false });
    expect(result.rows.map((r) => [r.sku, r.delta, r.entryId === null])).toEqual([['BULK-1', 5, false], ['BULK-2', 0, true], ['BULK-3', 7, false]]);
    expect(await ledgerCount(db)).toBe(before + 2);
    const [entry] = (await seller.api.inventory.history({ sku: 'BULK-1' })).entries;
    expect(entry).toMatchObject({ id: result.rows[0]?.entryId, delta: 5, balanceAfter: 5, reason: 'count', note: 'import line 2' });

    const repeat = await seller.api.inventory.setQuantities(first);
    expect(repeat).toEqual({ ...result, replayed: true });
    expect(await ledgerCount(db)).toBe(before + 2);
    expect((await rejection(seller.api.inventory.setQuantities({ ...first, rows: first.rows.slice(1) }))).code).toBe('CONFLICT');

    const listing = await seller.api.listings.upsert({ channelId: channel.channelId, sku: 'BULK-3', channelSku: 'E-BULK-3', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'bulk-listing' });
    const second = await seller.api.inventory.setQuantities({ sourceId: MF, rows: [{ sku: 'BULK-1', onHand: 5 }, { sku: 'BULK-3', onHand: 4 }], idempotencyKey: 'bulk-2' });
    expect(second).toMatchObject({ entriesWritten: 1, productsCreated: 0 });
    expect(second.rows.map((r) => r.delta)).toEqual([0, -3]);
    expect(await ledgerCount(db)).toBe(before + 3);
    const push = await db.db.selectFrom('listing_pushes').select('desired').where('listing_id', '=', listing.listingId).executeTakeFirstOrThrow();
    expect(push.desired).toBe(4);
    // Every row was counted, changed or not (negatives.explain reads it).
    const counted = await db.db.selectFrom('balances').select(['sku', 'last_counted_at']).where('tenant_id', '=', seller.tenantId).where('source_id', '=', MF).where('sku', 'in', ['BULK-1', 'BULK-2']).execute();
    expect(counted.map((b) => [b.sku, b.last_counted_at !== null]).sort()).toEqual([['BULK-1', true], ['BULK-2', true]]);
  });

  it('setQuantities names the bad row and writes nothing when any row is bad', async () => {
    await seller.api.products.upsert({ sku: 'BULK-KIT', title: 'Kit', components: [{ sku: 'BULK-1', quantity: 2 }], idempotencyKey: 'p-bulk-kit' });
    const before = await ledgerCount(db);
    const good = { sku: 'BULK-1', onHand: 99 };
    const fresh = { sku: 'BULK-NEW', onHand: 3, title: 'Would be created' };
    const cases: { rows: unknown[]; sourceId?: string; code: string; field: string }[] = [
      { rows: [good, { sku: 'BULK-1', onHand: 1 }], code: 'BAD_REQUEST', field: 'rows.1.sku' },
      { rows: [good, fresh, { sku: 'BULK-3', onHand: -1 }], code: 'BAD_REQUEST', field: 'rows.2.onHand' },
      { rows: [good, { sku: 'BULK-3', onHand: 1, colour: 'red' }], code: 'BAD_REQUEST', field: 'rows.1.colour' },
      { rows: [good, fresh, { sku: 'NO-SUCH-SKU', onHand: 1 }], code: 'NOT_FOUND', field: 'rows.2.sku' },
      { rows: [good, fresh, { sku: 'BULK-KIT', onHand: 1 }], code: 'BAD_REQUEST', field: 'rows.2.sku' },
      { rows: [good, fresh], sourceId: 'src_unknown', code: 'NOT_FOUND', field: 'sourceId' },
      { rows: [], code: 'BAD_REQUEST', field: 'rows' },
      { rows: Array.from({ length: limits.batchMax + 1 }, (_, i) => ({ sku: `MANY-${i}`, onHand: 1, title: 'x' })), code: 'BAD_REQUEST', field: 'rows' },
    ];
    for (const [i, c] of cases.entries()) {
      const error = await rejection(seller.api.inventory.setQuantities({ sourceId: c.sourceId ?? seller.sources.MF, rows: c.rows as never, idempotencyKey: `bulk-bad-${i}` }));
      expect([i, error.code]).toEqual([i, c.code]);
      expect(error.message).toContain(`${c.field}:`);
    }
    const kit = await rejection(seller.api.inventory.setQuantities({ sourceId: seller.sources.MF, rows: [{ sku: 'BULK-KIT', onHand: 1 }], idempotencyKey: 'bulk-bad-kit' }));
    expect((kit.cause as { details?: { rule?: string } }).details?.rule).toBe('BUNDLE_HOLDS_NO_STOCK');
    expect(await ledgerCount(db)).toBe(before);
    const { items, unknownSkus } = await seller.api.inventory.bySkus({ skus: ['BULK-1', 'BULK-NEW'] });
    expect(unknownSkus).toEqual(['BULK-NEW']);
    expect(items[0]?.sources.find((s) => s.sourceId === seller.sources.MF)?.onHand).toBe(5);
  });

  it('reconcile finds every balance equal to its ledger, and would report a tampered one', async () => {
    const clean = await admin.admin.reconcile({ tenantId: seller.tenantId });
    expect(clean.checked).toBeGreaterThan(3);
    expect(clean.mismatches).toEqual([]);
    await db.db.updateTable('balances').set({ on_hand: 999 }).where('tenant_id', '=', seller.tenantId).where('sku', '=', 'MUG').where('source_id', '=', seller.sources.MF).execute();
    const tampered = await admin.admin.reconcile({ tenantId: seller.tenantId });
    expect(tampered.mismatches).toEqual([{ tenantId: seller.tenantId, sourceId: seller.sources.MF, sku: 'MUG', bucket: 'on_hand', balance: 999, ledgerSum: 7 }]);
    await db.db.updateTable('balances').set({ on_hand: 7 }).where('tenant_id', '=', seller.tenantId).where('sku', '=', 'MUG').where('source_id', '=', seller.sources.MF).execute();
  });

  it('the database refuses to edit or delete a ledger entry', async () => {
    await expect(db.db.updateTable('ledger_entries').set({ delta: 100 }).where('tenant_id', '=', seller.tenantId).execute()).rejects.toThrow(/immutable/);
    await expect(db.db.deleteFrom('ledger_entries').where('tenant_id', '=', seller.tenantId).execute()).rejects.toThrow(/immutable/);
  });
});
