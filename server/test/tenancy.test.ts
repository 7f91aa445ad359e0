import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../src/testing';
import { apiAs, createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';
import { codeOf } from './support/errors';

describe.each(databaseKinds)('tenant isolation and auth on %s', (kind) => {
  let db: TestDatabase;
  let alice: SellerFixture;
  let bob: SellerFixture;
  let admin: Api;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    alice = await createSeller(db, 'Alice');
    bob = await createSeller(db, 'Bob');
    admin = await createAdmin(db);
    await alice.api.products.upsert({ sku: 'ALICE-1', title: 'Alice only', idempotencyKey: 'p1' });
    await alice.api.inventory.setQuantity({ sku: 'ALICE-1', sourceId: alice.sources.MF, onHand: 5, idempotencyKey: 's1' });
  });
  afterAll(async () => db?.close());

  it("a seller never sees or changes another tenant's rows", async () => {
    expect(await bob.api.inventory.bySkus({ skus: ['ALICE-1'] })).toEqual({ items: [], unknownSkus: ['ALICE-1'] });
    expect(await codeOf(bob.api.inventory.history({ sku: 'ALICE-1' }))).toBe('NOT_FOUND');
    // Bob naming Alice's source id: NOT_FOUND, never the row.
    await bob.api.products.upsert({ sku: 'ALICE-1', title: 'Bob has one too', idempotencyKey: 'p1' });
    expect(await codeOf(bob.api.inventory.setQuantity({ sku: 'ALICE-1', sourceId: alice.sources.MF, onHand: 0, idempotencyKey: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.inventory.adjust({ sku: 'ALICE-1', sourceId: alice.sources.MF, delta: 1, reason: 'found', idempotencyKey: 'y' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.inventory.history({ sku: 'ALICE-1', sourceId: alice.sources.MF }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.sources.update({ sourceId: alice.sources.FBA, autoFulfill: false, idempotencyKey: 'z' }))).toBe('NOT_FOUND');
    expect((await bob.api.sources.list()).map((s) => s.sourceId).sort()).toEqual(Object.values(bob.sources).sort());
    expect((await bob.api.products.search({ query: 'Alice only' })).products).toEqual([]);
    // Same idempotency key in two tenants: two independent requests.
    expect((await bob.api.products.search({ query: 'ALICE-1' })).products[0]?.title).toBe('Bob has one too');
    // Orders, channels and negatives are the tenant's own too.
    const channel = await alice.api.channels.create({ marketplace: 'etsy', region: 'US', name: 'Etsy', sourceIds: [alice.sources.MF] });
    await alice.api.listings.upsert({ channelId: channel.channelId, sku: 'ALICE-1', channelSku: 'ETSY-1', fulfilledBy: 'merchant', status: 'tracked', idempotencyKey: 'l1' });
    const placed = await alice.api.orders.ingest({ channelId: channel.channelId, externalOrderId: 'E-1', placedAt: '2026-11-01T00:00:00Z', shipTo: { country: 'US' }, lines: [{ externalLineId: '1', channelSku: 'ETSY-1', quantity: 9 }] });
    expect(await codeOf(bob.api.orders.get({ orderId: placed.orderId }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.orders.markShipped({ orderId: placed.orderId, idempotencyKey: 'b1' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.orders.sendToFulfillmentCenter({ orderId: placed.orderId, idempotencyKey: 'b2' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.orders.cancel({ channelId: channel.channelId, externalOrderId: 'E-1' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.orders.ingest({ channelId: channel.channelId, externalOrderId: 'E-2', placedAt: '2026-11-01T00:00:00Z', shipTo: { country: 'US' }, lines: [{ externalLineId: '1', channelSku: 'ETSY-1', quantity: 1 }] }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.channels.update({ channelId: channel.channelId, sourceIds: [], idempotencyKey: 'b3' }))).toBe('NOT_FOUND');
    expect(await codeOf(bob.api.negatives.explain({ sku: 'ALICE-1', sourceId: alice.sources.MF }))).toBe('NOT_FOUND');
    expect(await bob.api.negatives.list()).toEqual([]);
    expect(await bob.api.channels.list()).toEqual([]);
    expect((await bob.api.orders.list({})).orders).toEqual([]);
    expect((await alice.api.negatives.list()).map((n) => n.available)).toEqual([-4]);

    const aliceView = await alice.api.inventory.bySkus({ skus: ['ALICE-1'] });
    expect(aliceView.items[0]?.title).toBe('Alice only');
    expect(aliceView.items[0]?.sources.find((s) => s.sourceId === alice.sources.MF)?.onHand).toBe(5);
  });

  it('every seller procedure needs a valid seller token', async () => {
    const anonymous = apiAs(db, null);
    const forged = apiAs(db, 'onh_s_not-a-real-token');
    for (const api of [anonymous, forged]) {
      expect(await codeOf(api.inventory.bySkus({ skus: ['ALICE-1'] }))).toBe('UNAUTHORIZED');
      expect(await codeOf(api.inventory.setQuantity({ sku: 'ALICE-1', sourceId: alice.sources.MF, onHand: 1, idempotencyKey: 'a' }))).toBe('UNAUTHORIZED');
      expect(await codeOf(api.sources.list())).toBe('UNAUTHORIZED');
      expect(await codeOf(api.admin.tenants.list())).toBe('UNAUTHORIZED');
    }
    expect(await codeOf(anonymous.health.check())).toBe('OK');
    // An admin token is for admin.* only.
    expect(await codeOf(admin.inventory.bySkus({ skus: ['ALICE-1'] }))).toBe('FORBIDDEN');
  });

  it('admin procedures refuse seller tokens', async () => {
    expect(await codeOf(alice.api.admin.tenants.list())).toBe('FORBIDDEN');
    expect(await codeOf(alice.api.admin.tenants.create({ name: 'Mallory' }))).toBe('FORBIDDEN');
    expect(await codeOf(alice.api.admin.tokens.issue({ role: 'admin', label: 'escalate' }))).toBe('FORBIDDEN');
    expect(await codeOf(alice.api.admin.tokens.list())).toBe('FORBIDDEN');
    expect(await codeOf(alice.api.admin.tokens.revoke({ tokenId: 'tok_x' }))).toBe('FORBIDDEN');
    expect(await codeOf(alice.api.admin.reconcile({}))).toBe('FORBIDDEN');
  });

  it('tokens are shown once, stored hashed, and refused at once when revoked', async () => {
    const { tenantId } = await admin.admin.tenants.create({ name: 'Carol' });
    const issued = await admin.admin.tokens.issue({ tenantId, role: 'seller', label: 'carol laptop' });
    expect(issued.token).toMatch(/^onh_s_[A-Za-z0-9_-]{43}$/);
    const stored = await db.db.selectFrom('api_tokens').selectAll().where('id', '=', issued.tokenId).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(issued.token.slice(6));
    expect(JSON.stringify(await admin.admin.tokens.list({ tenantId }))).not.toContain(issued.token);
    const carol = apiAs(db, issued.token);
    expect(await carol.account.get()).toEqual({ tenantId, tenantName: 'Carol', role: 'seller' });
    await admin.admin.tokens.revoke({ tokenId: issued.tokenId });
    expect(await codeOf(carol.sources.list())).toBe('UNAUTHORIZED');
    expect(await codeOf(admin.admin.tokens.issue({ tenantId: 'ten_missing', role: 'seller', label: 'x' }))).toBe('NOT_FOUND');
  });
});
