import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import type { TestDatabase } from '../src/testing';
import { createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';
import { mulberry32 } from './support/random';

/** A small deterministic PRNG so a failing seed can be replayed. */

type Call =
  | { kind: 'set'; sku: string; sourceId: string; onHand: number }
  | { kind: 'adjust'; sku: string; sourceId: string; delta: number; reason: 'received' | 'damaged' | 'correction' };

interface Outcome {
  call: Call;
  entryId: number;
  onHandAfter: number;
}

const clients = 32;
const callsPerSeed = 2000;
const skus = Array.from({ length: 20 }, (_, i) => `CONC-${String(i).padStart(2, '0')}`);

function randomCall(random: () => number, sources: string[]): Call {
  const sku = skus[Math.floor(random() * skus.length)]!;
  const sourceId = sources[Math.floor(random() * sources.length)]!;
  const roll = random();
  if (roll < 0.25) return { kind: 'set', sku, sourceId, onHand: Math.floor(random() * 50) };
  if (roll < 0.6) return { kind: 'adjust', sku, sourceId, delta: 1 + Math.floor(random() * 10), reason: 'received' };
  if (roll < 0.85) return { kind: 'adjust', sku, sourceId, delta: -(1 + Math.floor(random() * 6)), reason: 'damaged' };
  return { kind: 'adjust', sku, sourceId, delta: random() < 0.5 ? 3 : -3, reason: 'correction' };
}

describe.each(databaseKinds)('concurrent set/adjust on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let admin: Api;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Concurrent seller');
    admin = await createAdmin(db);
    for (const sku of skus) await seller.api.products.upsert({ sku, title: sku, idempotencyKey: `p-${sku}` });
  });
  afterAll(async () => db?.close());

  it.each([11, 23, 47])('seed %i: balances equal the ledger and a model replayed in commit order', async (seed) => {
    const random = mulberry32(seed);
    const sources = Object.values(seller.sources);
    // Earlier seeds left stock behind: the model starts from it.
    const model = new Map<string, number>();
    for (const item of (await seller.api.inventory.bySkus({ skus })).items) {
      for (const source of item.sources) model.set(`${source.sourceId}/${item.sku}`, source.onHand);
    }
    const calls = Array.from({ length: callsPerSeed }, () => randomCall(random, sources));
    const outcomes: Outcome[] = [];
    let refused = 0;
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const index = next++;
        const call = calls[index]!;
        const idempotencyKey = `seed-${seed}-${index}`;
        try {
          const result =
            call.kind === 'set'
              ? await seller.api.inventory.setQuantity({ sku: call.sku, sourceId: call.sourceId, onHand: call.onHand, idempotencyKey })
              : await seller.api.inventory.adjust({ sku: call.sku, sourceId: call.sourceId, delta: call.delta, reason: call.reason, idempotencyKey });
          outcomes.push({ call, entryId: Number(result.entry.id), onHandAfter: result.balance.onHand });
        } catch (error) {
          // The only refusal these calls can meet: removing more than is there.
          expect(error).toBeInstanceOf(TRPCError);
          expect((error as TRPCError).message).toContain('cannot remove');
          refused += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, worker));
    expect(outcomes.length + refused).toBe(callsPerSeed);

    // Each row is changed under its lock, so entry ids of one row follow its
    // commit order: replaying the calls in that order must give every
    // balance-after the server reported, and the final balance.
    for (const outcome of [...outcomes].sort((a, b) => a.entryId - b.entryId)) {
      const key = `${outcome.call.sourceId}/${outcome.call.sku}`;
      const before = model.get(key) ?? 0;
      const after = outcome.call.kind === 'set' ? outcome.call.onHand : before + outcome.call.delta;
      expect(after, `${key} after entry ${outcome.entryId}`).toBe(outcome.onHandAfter);
      expect(after).toBeGreaterThanOrEqual(0);
      model.set(key, after);
    }
    const { items } = await seller.api.inventory.bySkus({ skus });
    for (const item of items) {
      for (const source of item.sources) {
        expect(source.onHand, `${source.sourceName}/${item.sku}`).toBe(model.get(`${source.sourceId}/${item.sku}`));
      }
    }
    const reconciled = await admin.admin.reconcile({ tenantId: seller.tenantId });
    expect(reconciled.mismatches).toEqual([]);
    expect(reconciled.checked).toBeGreaterThan(0);
  });
});
