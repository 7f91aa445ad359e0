import type { InventoryChangeOutput } from '@onhand/shared';
import { applyMovement, available, checkStockable, countsAsStockCheck, type BalanceState, type Movement } from '../domain/ledger';
import type { Rejection } from '../domain/result';
import type { Db } from '../db/database';
import { balanceKeyString } from '../db/repositories/balances';
import { claimAndLockBalances, findEntry, recordMovements, type MovementToRecord, type StoredMovementResponse } from '../db/repositories/stock-movements';
import { badRequest, notFound, type AppError } from '../errors';
import type { TenantScope } from './context';
import { perTenantGroupCommit, settleRefusal, type Settled } from './group-commit';
import { republish } from './publishing';
import { inTransaction, replay, requestHash, withoutKey } from './transaction';

export const rejectionError = (rejection: Rejection) => badRequest(rejection.field, rejection.message, rejection.rule);

/** One single-bucket stock change (inventory.setQuantity, inventory.adjust) waiting for its batch. */
export interface StockChange {
  actor: string;
  procedure: string;
  input: { sku: string; sourceId: string; idempotencyKey: string; note?: string | undefined };
  requestHash: string;
  /** The domain rule of the procedure: what the change does to the balance as it is when locked. */
  decide: (current: BalanceState) => { ok: true; value: Movement } | Rejection;
}

// Two batches of one tenant in flight at once: while one waits on the
// database, the next gathers what arrives meanwhile.
const lanesPerTenant = 2;
const changesPerBatchMax = 200;

const groupCommitOf = perTenantGroupCommit<StockChange, InventoryChangeOutput>({
  write: (db, tenantId, changes) => writeStockChanges(db, tenantId, changes),
  conflictKeys: (change) => [change.input.idempotencyKey],
  lanes: lanesPerTenant,
  itemsPerBatchMax: changesPerBatchMax,
});

/**
 * A single-bucket stock change, load → decide → write in one transaction.
 * Concurrent changes of one tenant share that transaction (group commit):
 * each is decided on the balance as the earlier ones of the batch left it,
 * keeps its own idempotency key, answer and error.
 */
export function changeStock(scope: TenantScope, change: Omit<StockChange, 'actor' | 'requestHash'>): Promise<InventoryChangeOutput> {
  return groupCommitOf(scope.db).submit(scope.tenantId, { ...change, actor: scope.actor, requestHash: requestHash(withoutKey(change.input)) });
}

/**
 * One batch in one transaction and, whatever its size, two statements
 * around the domain's decisions (plus a republish when a published SKU
 * moved, and a read per repeated key).
 */
async function writeStockChanges(db: Db, tenantId: string, changes: readonly StockChange[]): Promise<Settled<InventoryChangeOutput>[]> {
  return inTransaction(db, async (trx) => {
    const loaded = await claimAndLockBalances(
      trx,
      tenantId,
      changes.map((c) => ({ idempotencyKey: c.input.idempotencyKey, procedure: c.procedure, requestHash: c.requestHash, sourceId: c.input.sourceId, sku: c.input.sku })),
    );
    const locked = new Map(loaded.balances.map((b) => [balanceKeyString(b), b]));
    const outcomes: Settled<InventoryChangeOutput>[] = [];
    const touched = new Map<string, { sourceId: string; sku: string; onHand: number; committed: number; counted: boolean }>();
    const movements: MovementToRecord[] = [];
    const releasedKeys: string[] = [];
    const applied: { index: number; key: string; balance: InventoryChangeOutput['balance'] }[] = [];
    const repeated: number[] = [];

    changes.forEach((change, index) => {
      const { sku, sourceId, idempotencyKey } = change.input;
      if (!loaded.claimedKeys.has(idempotencyKey)) {
        repeated.push(index);
        return;
      }
      const refuse = (error: AppError) => {
        outcomes[index] = { ok: false, error };
        releasedKeys.push(idempotencyKey);
      };
      if (!loaded.sourceIds.has(sourceId)) return refuse(notFound('source', 'sourceId'));
      const product = loaded.products.get(sku);
      if (!product) return refuse(notFound('product', 'sku'));
      const stockable = checkStockable({ sku, isBundle: product.isBundle });
      if (!stockable.ok) return refuse(rejectionError(stockable));
      const key = balanceKeyString({ sourceId, sku });
      const current = locked.get(key);
      if (!current) throw new Error(`balance ${sourceId}/${sku} was not locked`);
      const decision = change.decide(current);
      if (!decision.ok) return refuse(rejectionError(decision));

      const { balance, balanceAfter } = applyMovement(current, decision.value);
      locked.set(key, { ...current, ...balance });
      const counted = countsAsStockCheck(decision.value.reason) || (touched.get(key)?.counted ?? false);
      touched.set(key, { sourceId, sku, ...balance, counted });
      movements.push({ idempotencyKey, procedure: change.procedure, requestHash: change.requestHash, sourceId, sku, ...decision.value, balanceAfter, actor: change.actor, note: change.input.note, ...balance });
      applied.push({ index, key: idempotencyKey, balance: { sourceId, sku, onHand: balance.onHand, committed: balance.committed, available: available(balance) } });
    });

    if (movements.length > 0 || releasedKeys.length > 0) {
      const uncreated = loaded.balances.filter((b) => b.created && !touched.has(balanceKeyString(b)));
      const entries = await recordMovements(trx, tenantId, { balances: [...touched.values()], movements, releasedKeys, uncreated });
      for (const { index, key, balance } of applied) {
        const entry = entries.get(key);
        if (!entry) throw new Error(`no ledger entry was written for ${key}`);
        outcomes[index] = { ok: true, value: { entry, balance } };
      }
      const published = [...new Set(movements.map((m) => m.sku))].filter((sku) => loaded.publishingSkus.has(sku));
      if (published.length > 0) await republish(trx, tenantId, { skus: published });
    }

    // A key used before answers with its first result (or CONFLICT when the
    // payload differs), writing nothing.
    for (const index of repeated) {
      const change = changes[index]!;
      const { sku, sourceId, idempotencyKey } = change.input;
      outcomes[index] = await settleRefusal(async () => {
        const stored = await replay<StoredMovementResponse>(trx, tenantId, idempotencyKey, change.procedure, change.requestHash);
        const entry = await findEntry(trx, tenantId, stored.entryId);
        if (!entry) throw new Error(`idempotency key ${idempotencyKey} points at a missing ledger entry`);
        return { entry, balance: { sourceId, sku, onHand: stored.onHand, committed: stored.committed, available: stored.onHand - stored.committed } };
      });
    }
    return outcomes;
  });
}
