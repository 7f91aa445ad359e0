import type { InventoryItem } from '@onhand/shared';
import { describe, expect, it } from 'vitest';
import { badgeViewFor } from './badge-view';

const mug: InventoryItem = {
  sku: 'DEMO-MUG-11OZ',
  title: 'Mug',
  isBundle: false,
  sources: [
    { sourceId: 's1', sourceName: 'MF', kind: 'merchant', onHand: 12, committed: 0, available: 12 },
    { sourceId: 's2', sourceName: 'FBA', kind: 'fba', onHand: 30, committed: 0, available: 30 },
    { sourceId: 's3', sourceName: 'Deliverr', kind: 'deliverr', onHand: 5, committed: 0, available: 5 },
  ],
  totalAvailable: 47,
};

describe('badgeViewFor', () => {
  it('shows available per source and the total for a tracked SKU', () => {
    expect(badgeViewFor({ item: mug })).toEqual({
      states: ['tracked'],
      sources: [
        { id: 's1', name: 'MF', available: 12 },
        { id: 's2', name: 'FBA', available: 30 },
        { id: 's3', name: 'Deliverr', available: 5 },
      ],
      total: 47,
      note: null,
    });
  });

  it('marks a SKU with a negative source as negative', () => {
    const oversold = { ...mug, sources: [{ ...mug.sources[0]!, committed: 14, available: -2 }], totalAvailable: -2 };
    expect(badgeViewFor({ item: oversold })?.states).toEqual(['tracked', 'negative']);
  });

  it('says when a SKU is not in onhand', () => {
    expect(badgeViewFor({ unknown: true })).toMatchObject({ states: ['unknown'], total: null, note: 'Not in onhand' });
  });

  it('keeps the last numbers but marks them stale when the server cannot be asked', () => {
    const problem = { problem: 'unreachable' as const, message: 'The onhand server cannot be reached.' };
    expect(badgeViewFor({ item: mug, problem })).toMatchObject({ states: ['tracked', 'stale'], total: 47 });
    expect(badgeViewFor({ problem })).toEqual({ states: ['stale'], sources: [], total: null, note: problem.message });
  });

  it('shows nothing while nothing is known', () => {
    expect(badgeViewFor({})).toBeNull();
  });
});
