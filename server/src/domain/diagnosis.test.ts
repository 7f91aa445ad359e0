import { describe, expect, it } from 'vitest';
import { explainNegative, type DiagnosisInput, type OpenAllocation } from './diagnosis';
import type { RoutingReason } from './routing';

const now = new Date('2025-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000);

const mf: DiagnosisInput['source'] = { sourceId: 'src-mf', name: 'MF', kind: 'merchant', isDefault: true };
const fba: DiagnosisInput['source'] = { sourceId: 'src-fba', name: 'FBA', kind: 'fba', isDefault: false };

const allocation = (reason: RoutingReason, over: Partial<OpenAllocation> = {}): OpenAllocation => ({
  orderId: 'ord-1', externalOrderId: '123-456', lineId: 'line-1', quantity: 2, reason, entryIds: ['e-alloc-1'], ...over,
});
// A second, newer order, to show causes keep the oldest-first order.
const second = (reason: RoutingReason, over: Partial<OpenAllocation> = {}) =>
  allocation(reason, { orderId: 'ord-2', externalOrderId: '789', lineId: 'line-2', entryIds: ['e-alloc-2'], ...over });

/** MF, counted yesterday, 2 committed and nothing on hand: negative, and reason 2 does not apply. */
const diagnose = (over: Partial<DiagnosisInput>) =>
  explainNegative({
    sku: 'MUG',
    source: mf,
    balance: { onHand: 0, committed: 2 },
    openAllocations: [],
    lastCountedAt: daysAgo(1),
    drawdownEntryIds: [],
    settings: { inventoryManagedElsewhere: false, notCountedAfterDays: 30 },
    now,
    ...over,
  });

const setMfQuantity = { action: 'SET_QUANTITY', params: { sourceId: 'src-mf', sku: 'MUG' }, label: 'Set the MF quantity of MUG' };
const cancel = (orderId = 'ord-1', lineId = 'line-1') => ({ action: 'CANCEL_ORDER', params: { orderId, lineId } });
const sendToFba = { action: 'SEND_TO_FULFILLMENT_CENTER', params: { orderId: 'ord-1', lineId: 'line-1', sourceId: 'src-fba' }, label: 'Send order 123-456 to FBA' };
const expectedFba = { expectedSourceId: 'src-fba', expectedSourceName: 'FBA' };

describe('why is this negative: one row per seed reason', () => {
  const rows: { rule: string; input: Partial<DiagnosisInput>; expected: object }[] = [
    {
      rule: 'available ≥ 0 has no causes',
      input: { balance: { onHand: 3, committed: 3 }, openAllocations: [allocation('OVERSOLD')], lastCountedAt: null },
      expected: { available: 0, causes: [] },
    },
    {
      rule: '1 AUTO_FULFILL_OFF: send it to the FC or turn auto-fulfill on',
      input: { openAllocations: [allocation('AUTO_FULFILL_OFF', { ...expectedFba, listingId: 'lst-1' })] },
      expected: { available: -2, causes: [{
        reason: 1, code: 'AUTO_FULFILL_OFF', orderId: 'ord-1', lineId: 'line-1', listingId: 'lst-1', entryIds: ['e-alloc-1'],
        message: 'Order 123-456 was taken from MF because auto-fulfill is off for FBA.',
        remedies: [sendToFba, { action: 'ENABLE_AUTO_FULFILL', params: { sourceId: 'src-fba' }, label: 'Turn on auto-fulfill for FBA' }],
      }] },
    },
    {
      rule: '2 NOT_MANAGED_HERE from the setting',
      input: { settings: { inventoryManagedElsewhere: true, notCountedAfterDays: 30 }, openAllocations: [allocation('ROUTED_TO_SOURCE')], drawdownEntryIds: ['e-ship-1'] },
      expected: { available: -2, causes: [{
        reason: 2, code: 'NOT_MANAGED_HERE', entryIds: ['e-ship-1', 'e-alloc-1'],
        message: expect.stringContaining('your settings say inventory is managed elsewhere'),
        remedies: [setMfQuantity],
      }] },
    },
    {
      rule: '2 NOT_MANAGED_HERE from "never counted"',
      input: { lastCountedAt: null, openAllocations: [allocation('ROUTED_TO_SOURCE')] },
      expected: { available: -2, causes: [{ reason: 2, code: 'NOT_MANAGED_HERE', message: 'MF keeps taking orders for MUG, but no one has ever counted MF stock for MUG.', remedies: [setMfQuantity] }] },
    },
    {
      rule: '2 NOT_MANAGED_HERE: counted 40 days ago with a 30-day setting',
      input: { lastCountedAt: daysAgo(40), balance: { onHand: -1, committed: 0 }, drawdownEntryIds: ['e-ship-1', 'e-ship-2'] },
      expected: { available: -1, causes: [{
        reason: 2, code: 'NOT_MANAGED_HERE', entryIds: ['e-ship-1', 'e-ship-2'],
        message: 'MF keeps taking orders for MUG, but no one has counted MF stock for MUG since 2025-05-21.',
        remedies: [setMfQuantity],
      }] },
    },
    {
      rule: '3 FULFILLMENT_CENTER_CANNOT_FILL: set quantity, cancel, or send it anyway',
      input: { openAllocations: [allocation('FULFILLMENT_CENTER_CANNOT_FILL', expectedFba)] },
      expected: { available: -2, causes: [{
        reason: 3, code: 'FULFILLMENT_CENTER_CANNOT_FILL', orderId: 'ord-1', lineId: 'line-1', entryIds: ['e-alloc-1'],
        message: expect.stringContaining('FBA could not fill it'),
        remedies: [setMfQuantity, cancel(), sendToFba],
      }] },
    },
    {
      rule: '4 UNTRACKED_LISTING: import the listing or set the quantity',
      input: { openAllocations: [allocation('UNTRACKED_LISTING', { listingId: 'lst-9' })] },
      expected: { available: -2, causes: [{
        reason: 4, code: 'UNTRACKED_LISTING', listingId: 'lst-9',
        message: 'Order 123-456 came from a listing onhand does not manage, so MF took it.',
        remedies: [{ action: 'IMPORT_LISTING', params: { listingId: 'lst-9' } }, setMfQuantity],
      }] },
    },
    {
      rule: '5 OVERSOLD: no source had it',
      input: { openAllocations: [allocation('OVERSOLD')] },
      expected: { available: -2, causes: [{
        reason: 5, code: 'OVERSOLD', message: 'Order 123-456 was taken from MF although no source had 2 of MUG.', remedies: [setMfQuantity, cancel()],
      }] },
    },
  ];

  it.each(rows)('$rule', ({ input, expected }) => {
    expect(diagnose(input)).toMatchObject(expected);
  });
});

describe('why is this negative: edges', () => {
  const rows: { rule: string; input: Partial<DiagnosisInput>; expected: object }[] = [
    {
      rule: 'no reason 2 for a non-default source, even never counted: its vanished stock is OVERSOLD',
      input: { source: fba, lastCountedAt: null, settings: { inventoryManagedElsewhere: true, notCountedAfterDays: 30 }, openAllocations: [allocation('MARKETPLACE_FULFILLED')] },
      expected: { causes: [{
        reason: 5, code: 'OVERSOLD', orderId: 'ord-1', message: 'Order 123-456 was committed to FBA when it had the stock, but that stock has gone since.',
        remedies: [{ action: 'SET_QUANTITY', params: { sourceId: 'src-fba', sku: 'MUG' } }, cancel()],
      }] },
    },
    {
      rule: 'counted exactly notCountedAfterDays ago is not yet reason 2',
      input: { lastCountedAt: daysAgo(30), openAllocations: [allocation('ROUTED_TO_SOURCE')] },
      expected: { causes: [{ reason: 5, code: 'OVERSOLD', orderId: 'ord-1' }] },
    },
    {
      rule: 'no reason 2 without open orders or drawdowns to explain',
      input: { lastCountedAt: null, openAllocations: [] },
      expected: { causes: [{ reason: 5, code: 'OVERSOLD', entryIds: [], remedies: [setMfQuantity] }] },
    },
    {
      rule: 'reason 2 comes first, then fallback allocations oldest first; routed ones fold into reason 2',
      input: {
        lastCountedAt: null, balance: { onHand: 1, committed: 6 },
        openAllocations: [allocation('OVERSOLD'), second('ROUTED_TO_SOURCE'), second('UNTRACKED_LISTING', { orderId: 'ord-3', lineId: 'line-3', entryIds: ['e-alloc-3'] })],
      },
      expected: { available: -5, causes: [
        { reason: 2, entryIds: ['e-alloc-1', 'e-alloc-2', 'e-alloc-3'] },
        { reason: 5, orderId: 'ord-1' },
        { reason: 4, orderId: 'ord-3', remedies: [setMfQuantity] },
      ] },
    },
    {
      rule: 'reason 1 without a known FC: send it and let the server pick the FC',
      input: { openAllocations: [allocation('AUTO_FULFILL_OFF')] },
      expected: { causes: [{
        reason: 1, message: 'Order 123-456 was taken from MF because auto-fulfill is off for the fulfillment center.',
        remedies: [{ action: 'SEND_TO_FULFILLMENT_CENTER', params: { orderId: 'ord-1', lineId: 'line-1' }, label: 'Send order 123-456 to a fulfillment center' }],
      }] },
    },
    {
      rule: 'reason 3 without a known FC offers no send',
      input: { openAllocations: [allocation('FULFILLMENT_CENTER_CANNOT_FILL')] },
      expected: { causes: [{ reason: 3, remedies: [setMfQuantity, cancel()] }] },
    },
    {
      rule: 'a negative with no open order is explained by the shipments',
      input: { source: fba, balance: { onHand: -3, committed: 0 }, drawdownEntryIds: ['e-ship-1'] },
      expected: { available: -3, causes: [{ reason: 5, code: 'OVERSOLD', entryIds: ['e-ship-1'], message: 'FBA has shipped more MUG than it had on hand.' }] },
    },
  ];

  it.each(rows)('$rule', ({ input, expected }) => {
    const diagnosis = diagnose(input);
    expect(diagnosis).toMatchObject(expected);
    // Every cause must give the seller something to press.
    for (const cause of diagnosis.causes) expect(cause.remedies.length).toBeGreaterThan(0);
  });

  it('a cause without a known listing carries no listingId key', () => {
    const [cause] = diagnose({ openAllocations: [allocation('OVERSOLD')] }).causes;
    expect(cause).not.toHaveProperty('listingId');
  });
});
