import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../src/testing';
import { apiAs, createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';
import { codeOf } from './support/errors';

describe.each(databaseKinds)('admin endpoints on %s', (kind) => {
  let db: TestDatabase;
  let alice: SellerFixture;
  let admin: Api;
  let listingId: string;
  let bundleListingId: string;

  const ledgerCount = async () => Number((await sql<{ n: string }>`select count(*)::int8 as n from ledger_entries`.execute(db.db)).rows[0]!.n);
  const desiredOf = async (id: string) =>
    (await db.db.selectFrom('listing_pushes').select(['desired', 'version']).where('listing_id', '=', id).executeTakeFirstOrThrow());

  beforeAll(async () => {
    db = await freshDatabase(kind);
    alice = await createSeller(db, 'Alice');
    admin = await createAdmin(db);
    const api = alice.api;
    await api.products.upsert({ sku: 'MUG', title: 'Mug', idempotencyKey: 'p1' });
    await api.products.upsert({ sku: 'LID', title: 'Lid', idempotencyKey: 'p2' });
    await api.products.upsert({ sku: 'MUG-SET', title: 'Mug + 2 lids', components: [{ sku: 'MUG', quantity: 1 }, { sku: 'LID', quantity: 2 }], idempotencyKey: 'p3' });
    await api.inventory.setQuantity({ sku: 'MUG', sourceId: alice.sources.MF, onHand: 40, idempotencyKey: 's1' });
    await api.inventory.setQuantity({ sku: 'LID', sourceId: alice.sources.MF, onHand: 30, idempotencyKey: 's2' });
    const channel = await api.channels.create({ marketplace: 'ebay', region: 'US', name: 'eBay', sourceIds: [alice.sources.MF] });
    listingId = (await api.listings.upsert({ channelId: channel.channelId, sku: 'MUG', channelSku: 'E-MUG', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l1' })).listingId;
    bundleListingId = (await api.listings.upsert({ channelId: channel.channelId, sku: 'MUG-SET', channelSku: 'E-SET', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l2' })).listingId;
    await api.listings.setRules({ listingId, buffer: 5, idempotencyKey: 'r1' });
  });
  afterAll(async () => db?.close());

  it('seller tokens are refused on every admin endpoint', async () => {
    const a = alice.api.admin;
    const calls: [string, () => Promise<unknown>][] = [
      ['tenants.create', () => a.tenants.create({ name: 'Mallory' })],
      ['tenants.list', () => a.tenants.list()],
      ['tenants.suspend', () => a.tenants.suspend({ tenantId: alice.tenantId })],
      ['tenants.resume', () => a.tenants.resume({ tenantId: alice.tenantId })],
      ['tokens.issue', () => a.tokens.issue({ role: 'admin', label: 'escalate' })],
      ['tokens.list', () => a.tokens.list()],
      ['tokens.revoke', () => a.tokens.revoke({ tokenId: 'tok_x' })],
      ['reconcile', () => a.reconcile({ repair: true })],
      ['metrics', () => a.metrics()],
    ];
    for (const [name, call] of calls) expect([name, await codeOf(call())]).toEqual([name, 'FORBIDDEN']);
    expect(await codeOf(apiAs(db, null).admin.metrics())).toBe('UNAUTHORIZED');
  });

  it("suspending a tenant refuses its tokens at once; resuming lets them back in", async () => {
    const { tenantId } = await admin.admin.tenants.create({ name: 'Carol' });
    const { token } = await admin.admin.tokens.issue({ tenantId, role: 'seller', label: 'carol' });
    const carol = apiAs(db, token);
    expect(await codeOf(carol.sources.list())).toBe('OK');
    expect(await admin.admin.tenants.suspend({ tenantId })).toEqual({ tenantId, status: 'suspended' });
    expect(await codeOf(carol.sources.list())).toBe('UNAUTHORIZED');
    expect(await codeOf(carol.account.get())).toBe('UNAUTHORIZED');
    expect((await admin.admin.tenants.list()).tenants.find((t) => t.tenantId === tenantId)?.status).toBe('suspended');
    // Other tenants are untouched.
    expect(await codeOf(alice.api.sources.list())).toBe('OK');
    await admin.admin.tenants.resume({ tenantId });
    expect(await codeOf(carol.sources.list())).toBe('OK');
    expect(await codeOf(admin.admin.tenants.suspend({ tenantId: 'ten_missing' }))).toBe('NOT_FOUND');
  });

  it('reconcile finds a tampered published quantity, leaves it without --repair, and repairs it (never the ledger)', async () => {
    const clean = await admin.admin.reconcile({});
    expect(clean.mismatches).toEqual([]);
    expect(clean.publishing).toEqual({ checked: 2, mismatches: [], repaired: 0 });
    // 40 mugs − buffer 5 = 35; sets: min(40/1, 30/2) = 15.
    expect((await desiredOf(listingId)).desired).toBe(35);
    expect((await desiredOf(bundleListingId)).desired).toBe(15);

    await db.db.updateTable('listing_pushes').set({ desired: 999 }).where('listing_id', '=', listingId).execute();
    await db.db.updateTable('listing_pushes').set({ desired: 1 }).where('listing_id', '=', bundleListingId).execute();
    const entriesBefore = await ledgerCount();
    const versionBefore = (await desiredOf(listingId)).version;

    const found = await admin.admin.reconcile({ tenantId: alice.tenantId });
    expect(found.publishing.repaired).toBe(0);
    expect(found.publishing.mismatches.sort((x, y) => x.sku.localeCompare(y.sku))).toEqual([
      { tenantId: alice.tenantId, listingId, sku: 'MUG', recorded: 999, expected: 35 },
      { tenantId: alice.tenantId, listingId: bundleListingId, sku: 'MUG-SET', recorded: 1, expected: 15 },
    ]);
    // Check only: nothing changed.
    expect(await desiredOf(listingId)).toEqual({ desired: 999, version: versionBefore });

    const repaired = await admin.admin.reconcile({ repair: true });
    expect(repaired.publishing.repaired).toBe(2);
    expect((await desiredOf(listingId)).desired).toBe(35);
    expect((await desiredOf(listingId)).version).toBeGreaterThan(versionBefore);
    expect((await desiredOf(bundleListingId)).desired).toBe(15);
    expect(await ledgerCount()).toBe(entriesBefore);
    expect((await admin.admin.reconcile({})).publishing.mismatches).toEqual([]);
  });

  it('reconcile reports a balance that disagrees with its ledger', async () => {
    await db.db.updateTable('balances').set({ on_hand: 41 }).where('tenant_id', '=', alice.tenantId).where('sku', '=', 'MUG').execute();
    try {
      const result = await admin.admin.reconcile({ tenantId: alice.tenantId, repair: true });
      expect(result.mismatches).toEqual([{ tenantId: alice.tenantId, sourceId: alice.sources.MF, sku: 'MUG', bucket: 'on_hand', balance: 41, ledgerSum: 40 }]);
    } finally {
      await db.db.updateTable('balances').set({ on_hand: 40 }).where('tenant_id', '=', alice.tenantId).where('sku', '=', 'MUG').execute();
    }
  });

  it('metrics report the outbox backlog by state', async () => {
    const metrics = await admin.admin.metrics();
    expect(metrics.outbox.pending).toBe(2);
    expect(metrics.subscribers).toBe(0);
    expect(metrics.latency.buckets.length).toBeGreaterThan(5);
  });
});
