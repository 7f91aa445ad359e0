import { describe, expect, it } from 'vitest';
import { limits } from '@onhand/shared';
import { applyMovement, available, checkStockable, planAdjustment, planSetQuantity } from './ledger';

const stock = (onHand: number, committed = 0) => ({ onHand, committed });

describe('ledger rules: one row per rule', () => {
  const rows = [
    { rule: 'accepts a count as the delta that reaches it', run: () => planSetQuantity(stock(5), 12), expected: { ok: true, value: { bucket: 'on_hand', delta: 7, reason: 'count' } } },
    { rule: 'records an unchanged count as delta 0', run: () => planSetQuantity(stock(12), 12), expected: { ok: true, value: { bucket: 'on_hand', delta: 0, reason: 'count' } } },
    { rule: 'count below on hand is a negative delta', run: () => planSetQuantity(stock(12, 3), 2), expected: { ok: true, value: { bucket: 'on_hand', delta: -10, reason: 'count' } } },
    { rule: 'QUANTITY_OUT_OF_RANGE (count above max)', run: () => planSetQuantity(stock(0), limits.quantityMax + 1), expected: { ok: false, rule: 'QUANTITY_OUT_OF_RANGE', field: 'onHand' } },
    { rule: 'QUANTITY_OUT_OF_RANGE (negative count)', run: () => planSetQuantity(stock(0), -1), expected: { ok: false, rule: 'QUANTITY_OUT_OF_RANGE', field: 'onHand' } },
    { rule: 'accepts received stock', run: () => planAdjustment(stock(1), 4, 'received'), expected: { ok: true, value: { bucket: 'on_hand', delta: 4, reason: 'received' } } },
    { rule: 'accepts a correction either way', run: () => planAdjustment(stock(4), -4, 'correction'), expected: { ok: true, value: { bucket: 'on_hand', delta: -4, reason: 'correction' } } },
    { rule: 'ZERO_DELTA', run: () => planAdjustment(stock(1), 0, 'correction'), expected: { ok: false, rule: 'ZERO_DELTA', field: 'delta' } },
    { rule: 'REASON_REQUIRES_INCREASE', run: () => planAdjustment(stock(5), -1, 'returned'), expected: { ok: false, rule: 'REASON_REQUIRES_INCREASE', field: 'delta' } },
    { rule: 'REASON_REQUIRES_DECREASE', run: () => planAdjustment(stock(5), 1, 'damaged'), expected: { ok: false, rule: 'REASON_REQUIRES_DECREASE', field: 'delta' } },
    { rule: 'INSUFFICIENT_ON_HAND', run: () => planAdjustment(stock(2), -3, 'lost'), expected: { ok: false, rule: 'INSUFFICIENT_ON_HAND', field: 'delta' } },
    { rule: 'QUANTITY_OUT_OF_RANGE (adjust past max)', run: () => planAdjustment(stock(limits.quantityMax), 1, 'found'), expected: { ok: false, rule: 'QUANTITY_OUT_OF_RANGE', field: 'delta' } },
    { rule: 'BUNDLE_HOLDS_NO_STOCK', run: () => checkStockable({ isBundle: true, sku: 'KIT' }), expected: { ok: false, rule: 'BUNDLE_HOLDS_NO_STOCK', field: 'sku' } },
    { rule: 'a plain product holds stock', run: () => checkStockable({ isBundle: false, sku: 'MUG' }), expected: { ok: true, value: true } },
  ] as const;

  it.each(rows)('$rule', ({ run, expected }) => {
    expect(run()).toMatchObject(expected);
  });
});

describe('applying movements', () => {
  it('moves only the named bucket and reports that bucket after', () => {
    expect(applyMovement(stock(5, 2), { bucket: 'on_hand', delta: -1, reason: 'lost' })).toEqual({ balance: stock(4, 2), balanceAfter: 4 });
    expect(applyMovement(stock(5, 2), { bucket: 'committed', delta: 3, reason: 'order_allocated' })).toEqual({ balance: stock(5, 5), balanceAfter: 5 });
  });
  it('available is on hand minus committed, and can be negative', () => {
    expect(available(stock(0, 1))).toBe(-1);
  });
});
