import type { LookupRow } from '@onhand/shared';
import { describe, expect, it } from 'vitest';
import { badgeViewFor, summarise } from './badge-view';

const source = (sourceId: string, sourceName: string, available: number) => ({
  sourceId,
  sourceName,
  kind: sourceName === 'MF' ? ('merchant' as const) : ('fba' as const),
  onHand: Math.max(available, 0),
  committed: Math.max(-available, 0),
  available,
});

const mug: LookupRow = {
  key: 'DEMO-MUG-11OZ',
  match: 'tracked',
  listingId: 'l1',
  sku: 'DEMO-MUG-11OZ',
  sources: [source('s1', 'MF', 12), source('s2', 'FBA', 40), source('s3', 'Deliverr', 6)],
  publishedQuantity: 18,
  push: { state: 'acknowledged', desired: 18, pushed: 18, acknowledgedAt: '2026-01-01T00:00:00Z' },
  warnings: [],
};

describe('badgeViewFor', () => {
  it('shows available per source, the published quantity and its push state for a tracked listing', () => {
    expect(badgeViewFor({ row: mug, displayedQuantity: 18 })).toEqual({
      states: ['tracked'],
      sku: 'DEMO-MUG-11OZ',
      listingId: 'l1',
      sources: [
        { id: 's1', name: 'MF', available: 12 },
        { id: 's2', name: 'FBA', available: 40 },
        { id: 's3', name: 'Deliverr', available: 6 },
      ],
      published: 18,
      push: { label: 'live', tone: 'ok', detail: 'The marketplace confirmed 18.' },
      driftShown: null,
      warnings: [],
      negativeSources: [],
      note: null,
    });
  });

  it('marks a negative source, and lists it for an explanation', () => {
    const oversold = { ...mug, sources: [source('s1', 'MF', -2)], warnings: [{ code: 'NEGATIVE' as const, message: 'MF is at -2', sourceId: 's1' }] };
    const view = badgeViewFor({ row: oversold });
    expect(view?.states).toEqual(['tracked', 'negative']);
    expect(view?.negativeSources).toEqual([{ id: 's1', name: 'MF', available: -2 }]);
    expect(view?.warnings).toEqual([]);
  });

  it('shows drift when the server says so, or when the page shows another number than is published', () => {
    expect(badgeViewFor({ row: mug, displayedQuantity: 7 })).toMatchObject({ states: ['tracked', 'drift'], driftShown: 7 });
    const told = { ...mug, warnings: [{ code: 'DRIFT' as const, message: 'Page shows 9, onhand publishes 18' }] };
    expect(badgeViewFor({ row: told, displayedQuantity: 9 })).toMatchObject({ states: ['tracked', 'drift'], driftShown: 9 });
  });

  it('says when a listing is untracked or unknown, and keeps an unmatched warning', () => {
    const untracked: LookupRow = { key: 'X', match: 'untracked', listingId: 'l9', sources: [], warnings: [{ code: 'UNTRACKED', message: 'not managed' }] };
    expect(badgeViewFor({ row: untracked })).toMatchObject({ states: ['untracked'], listingId: 'l9', note: 'Not managed by onhand', warnings: [] });
    const unknown: LookupRow = { key: 'Y', match: 'unknown', sources: [], warnings: [{ code: 'UNMATCHED', message: 'no product' }] };
    expect(badgeViewFor({ row: unknown })).toMatchObject({ states: ['unknown'], note: 'Not in onhand', warnings: [{ code: 'UNMATCHED', message: 'no product' }] });
  });

  it('keeps the last numbers but marks them stale when the server cannot be asked', () => {
    const problem = { problem: 'unreachable' as const, message: 'The onhand server cannot be reached.' };
    expect(badgeViewFor({ row: mug, problem })).toMatchObject({ states: ['tracked', 'stale'], published: 18, note: `May be out of date: ${problem.message}` });
    expect(badgeViewFor({ problem })).toMatchObject({ states: ['stale'], sources: [], published: null, note: problem.message });
  });

  it('shows nothing while nothing is known', () => {
    expect(badgeViewFor({})).toBeNull();
  });
});

describe('summarise', () => {
  it('counts listings, negatives, untracked (incl. unknown) and drifting rows', () => {
    const views = [
      badgeViewFor({ row: mug }),
      badgeViewFor({ row: { ...mug, sources: [source('s1', 'MF', -1)] }, displayedQuantity: 3 }),
      badgeViewFor({ row: { key: 'u', match: 'untracked', sources: [], warnings: [] } }),
      badgeViewFor({ row: { key: 'k', match: 'unknown', sources: [], warnings: [] } }),
      null,
    ];
    expect(summarise(views, null)).toEqual({ listings: 5, negative: 1, untracked: 2, drifting: 1, problem: null });
  });
});
