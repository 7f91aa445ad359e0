import type { LedgerEntry } from '@onhand/shared';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database';
import { applyMovement, type BalanceState } from '../domain/ledger';
import type { KeyedMovement } from '../domain/orders';
import { balanceKeyString, type BalanceRow } from '../db/repositories/balances';
import { writeMovements, type NewLedgerEntry } from '../db/repositories/ledger';
import { republish } from './publishing';

export interface TaggedMovement extends KeyedMovement {
  orderId?: string;
  orderLineId?: string;
  /** When movements of several requests are applied together: this one's actor and key (else the call's). */
  actor?: string;
  idempotencyKey?: string | undefined;
}

/**
 * Applies movements to balances the caller has locked (in key order), then
 * writes every touched balance, its events (one per order that moved it)
 * and every entry in one statement.
 * `locked` is updated in place so later decisions in the same transaction
 * see the new numbers.
 */
export async function applyMovements(
  trx: Transaction<Database>,
  tenantId: string,
  locked: Map<string, BalanceRow>,
  movements: readonly TaggedMovement[],
  meta: {
    actor: string;
    idempotencyKey?: string | undefined;
    /** `locked` holds every source's balance of each SKU it has (order routing locks them all): republishing need not read them again. */
    lockedCoversAllSources?: boolean | undefined;
  },
): Promise<LedgerEntry[]> {
  if (movements.length === 0) return [];
  const entries: NewLedgerEntry[] = [];
  const touched = new Map<string, { sourceId: string; sku: string } & BalanceState>();
  // One event per balance per order (orders written together each tell
  // subscribers what they did), with the balance as that order left it.
  const events = new Map<string, { sourceId: string; sku: string } & BalanceState>();
  for (const movement of movements) {
    const key = balanceKeyString(movement);
    const current = locked.get(key);
    if (!current) throw new Error(`balance ${movement.sourceId}/${movement.sku} was not locked before moving it`);
    const { balance, balanceAfter } = applyMovement(current, movement);
    locked.set(key, { ...current, ...balance });
    touched.set(key, { sourceId: movement.sourceId, sku: movement.sku, ...balance });
    events.set(`${movement.orderId ?? ''}\u0000${key}`, { sourceId: movement.sourceId, sku: movement.sku, ...balance });
    entries.push({
      sourceId: movement.sourceId,
      sku: movement.sku,
      bucket: movement.bucket,
      delta: movement.delta,
      balanceAfter,
      reason: movement.reason,
      actor: movement.actor ?? meta.actor,
      orderId: movement.orderId,
      orderLineId: movement.orderLineId,
      idempotencyKey: movement.idempotencyKey ?? meta.idempotencyKey,
    });
  }
  const written = await writeMovements(trx, tenantId, [...touched.values()], entries, [...events.values()]);
  await republish(trx, tenantId, { skus: [...new Set(movements.map((m) => m.sku))] }, meta.lockedCoversAllSources ? locked : undefined);
  return written;
}
