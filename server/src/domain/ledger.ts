import { limits, type AdjustReason, type Bucket, type LedgerReason } from '@onhand/shared';
import { accept, reject, type Decision } from './result';

/** One (source, sku) bucket pair as the ledger projects it. */
export interface BalanceState {
  onHand: number;
  committed: number;
}

/** One change to one bucket: what a ledger entry records. */
export interface Movement {
  bucket: Bucket;
  delta: number;
  reason: LedgerReason;
}

export const available = (balance: BalanceState): number => balance.onHand - balance.committed;

export type LedgerRule =
  | 'BUNDLE_HOLDS_NO_STOCK'
  | 'QUANTITY_OUT_OF_RANGE'
  | 'ZERO_DELTA'
  | 'REASON_REQUIRES_INCREASE'
  | 'REASON_REQUIRES_DECREASE'
  | 'INSUFFICIENT_ON_HAND';

const increasingReasons: ReadonlySet<AdjustReason> = new Set(['received', 'found', 'returned']);
const decreasingReasons: ReadonlySet<AdjustReason> = new Set(['damaged', 'lost']);

/** A bundle is made of its components' stock; it never holds any itself. */
export function checkStockable(product: { isBundle: boolean; sku: string }): Decision<true, LedgerRule> {
  if (product.isBundle) {
    return reject('BUNDLE_HOLDS_NO_STOCK', `${product.sku} is a bundle: change its components' stock instead`, 'sku');
  }
  return accept(true);
}

function inRange(value: number): boolean {
  return Number.isSafeInteger(value) && Math.abs(value) <= limits.quantityMax;
}

/**
 * "The seller counted N": the delta that gets on_hand from where it is to N.
 * A count that finds the number unchanged is still recorded (delta 0): it is
 * the evidence that someone manages stock at this source.
 */
export function planSetQuantity(current: BalanceState, onHand: number): Decision<Movement, LedgerRule> {
  if (!inRange(onHand) || onHand < 0) {
    return reject('QUANTITY_OUT_OF_RANGE', `must be between 0 and ${limits.quantityMax}`, 'onHand');
  }
  return accept({ bucket: 'on_hand', delta: onHand - current.onHand, reason: 'count' });
}

/** A +/- change with a reason the seller gives. */
export function planAdjustment(
  current: BalanceState,
  delta: number,
  reason: AdjustReason,
): Decision<Movement, LedgerRule> {
  if (delta === 0) return reject('ZERO_DELTA', 'must not be zero', 'delta');
  if (increasingReasons.has(reason) && delta < 0) {
    return reject('REASON_REQUIRES_INCREASE', `stock ${reason} must be a positive delta`, 'delta');
  }
  if (decreasingReasons.has(reason) && delta > 0) {
    return reject('REASON_REQUIRES_DECREASE', `stock ${reason} must be a negative delta`, 'delta');
  }
  const after = current.onHand + delta;
  if (!inRange(delta) || !inRange(after)) {
    return reject('QUANTITY_OUT_OF_RANGE', `on hand would be ${after}, beyond ±${limits.quantityMax}`, 'delta');
  }
  // Stock that is not there cannot be lost or written off; a count (set
  // quantity) is the way to correct a wrong number.
  if (delta < 0 && after < 0) {
    return reject('INSUFFICIENT_ON_HAND', `only ${current.onHand} on hand, cannot remove ${-delta}`, 'delta');
  }
  return accept({ bucket: 'on_hand', delta, reason });
}

/** The balance after a movement, and the bucket's new value for the entry. */
export function applyMovement(balance: BalanceState, movement: Movement): { balance: BalanceState; balanceAfter: number } {
  const next =
    movement.bucket === 'on_hand'
      ? { onHand: balance.onHand + movement.delta, committed: balance.committed }
      : { onHand: balance.onHand, committed: balance.committed + movement.delta };
  return { balance: next, balanceAfter: movement.bucket === 'on_hand' ? next.onHand : next.committed };
}

/** Counting or receiving stock is what shows someone manages this source. */
export const countsAsStockCheck = (reason: LedgerReason): boolean => reason === 'count' || reason === 'received';
