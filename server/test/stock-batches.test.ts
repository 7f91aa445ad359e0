import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../src/testing';
import { createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';

// Concurrent stock changes of one tenant share transactions (group commit,
// usecases/stock-changes.ts). What a seller must not be able to tell: every
// request still gets its own answer or its own error, takes effect once, and
// sees the balance as the changes before it left it.

describe.each(databaseKinds)('concurrent stock changes written together on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let admin: Api;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db);
    admin = await createAdmin(db);
    for (const sku of ['CUP', 'PLATE', 'BOWL']) await seller.api.products.upsert({ sku, title: sku, idempotencyKey: `p-${sku}` });
    await seller.api.products.upsert({ sku: 'SET', title: 'Set', components: [{ sku: 'CUP', quantity: 2 }], idempotencyKey: 'p-set' });
  });
  afterAll(async () => db?.close());

  const entriesOf = async (sku: string) =>
    (await sql<{ n: string | number; transactions: string | number }>`
      select count(*) as n, count(distinct xmin::text) as transactions from ledger_entries where sku = ${sku}`.execute(db.db)).rows[0]!;

  it('shares transactions, yet each refusal reaches only its own request, names its field and writes nothing', async () => {
    const { MF } = seller.sources;
    const calls = [
      ...Array.from({ length: 30 }, (_, i) => ({ sku: 'CUP', sourceId: MF, delta: 1, reason: 'received' as const, idempotencyKey: `cup-${i}` })),
      { sku: 'NO-SUCH-SKU', sourceId: MF, delta: 1, reason: 'received' as const, idempotencyKey: 'bad-sku' },
      { sku: 'CUP', sourceId: 'src_nowhere', delta: 1, reason: 'received' as const, idempotencyKey: 'bad-source' },
      { sku: 'SET', sourceId: MF, delta: 1, reason: 'received' as const, idempotencyKey: 'bad-bundle' },
      { sku: 'PLATE', sourceId: MF, delta: -1, reason: 'damaged' as const, idempotencyKey: 'bad-stock' },
    ];
    const settled = await Promise.allSettled(calls.map((call) => seller.api.inventory.adjust(call)));
    expect(settled.slice(0, 30).every((s) => s.status === 'fulfilled')).toBe(true);
    const refusals = settled.slice(30).map((s) => (s.status === 'rejected' ? (s.reason as Error).message.split(':')[0] : 'accepted'));
    expect(refusals).toEqual(['sku', 'sourceId', 'sku', 'delta']);

    const cup = await entriesOf('CUP');
    expect(Number(cup.n)).toBe(30);
    // Fewer transactions than requests: they were written together.
    expect(Number(cup.transactions)).toBeLessThan(30);
    expect(Number((await entriesOf('PLATE')).n)).toBe(0);
    // Not even an empty balance row for the refused decrease of a SKU never stocked there.
    const plateRows = await sql<{ n: string | number }>`select count(*) as n from balances where sku = 'PLATE' and source_id = ${MF}`.execute(db.db);
    expect(Number(plateRows.rows[0]!.n)).toBe(0);
    // The balance after each entry is the running total, in entry order.
    const after = (await seller.api.inventory.history({ sku: 'CUP', limit: 100 })).entries.map((e) => e.balanceAfter).reverse();
    expect(after).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // A refused request wrote nothing, its key included: the same key may be used again.
    await seller.api.products.upsert({ sku: 'NO-SUCH-SKU', title: 'Now it exists', idempotencyKey: 'p-late' });
    const retried = await seller.api.inventory.adjust({ sku: 'NO-SUCH-SKU', sourceId: MF, delta: 1, reason: 'received', idempotencyKey: 'bad-sku' });
    expect(retried.balance.onHand).toBe(1);
    expect((await admin.admin.reconcile({ tenantId: seller.tenantId })).mismatches).toEqual([]);
  });

  it('decides each change on the balance the ones before it left: stock never goes below zero by racing', async () => {
    const { FBA } = seller.sources;
    await seller.api.inventory.setQuantity({ sku: 'BOWL', sourceId: FBA, onHand: 5, idempotencyKey: 'bowl-count' });
    const settled = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => seller.api.inventory.adjust({ sku: 'BOWL', sourceId: FBA, delta: -1, reason: 'damaged', idempotencyKey: `bowl-${i}` })),
    );
    const accepted = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.entry.balanceAfter] : []));
    expect(accepted.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    const refused = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as { cause?: { details?: { rule?: string } } }).cause?.details?.rule] : []));
    expect(refused).toEqual(Array.from({ length: 7 }, () => 'INSUFFICIENT_ON_HAND'));
    const { items } = await seller.api.inventory.bySkus({ skus: ['BOWL'] });
    expect(items[0]?.sources.find((s) => s.sourceId === FBA)?.onHand).toBe(0);
  });

  it('a request repeated while its first delivery waits takes effect once, every delivery getting the first answer', async () => {
    const { Deliverr } = seller.sources;
    const same = { sku: 'PLATE', sourceId: Deliverr, delta: 4, reason: 'received' as const, idempotencyKey: 'plate-once' };
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => seller.api.inventory.adjust(same)),
      ...Array.from({ length: 5 }, (_, i) => seller.api.inventory.adjust({ ...same, delta: 1, idempotencyKey: `plate-other-${i}` })),
    ]);
    const firsts = answers.slice(0, 5);
    expect(new Set(firsts.map((a) => a.entry.id)).size).toBe(1);
    expect(firsts.every((a) => a.entry.delta === 4)).toBe(true);
    const { items } = await seller.api.inventory.bySkus({ skus: ['PLATE'] });
    expect(items[0]?.sources.find((s) => s.sourceId === Deliverr)?.onHand).toBe(9);
    expect((await admin.admin.reconcile({ tenantId: seller.tenantId })).mismatches).toEqual([]);
  });
});
