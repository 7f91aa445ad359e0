import type { ConnectionProblem, InventoryItem } from '@onhand/shared';

/** Values of a badge host's `data-onhand-state` (see api.md "Extension test hooks"). */
export type RowState = 'tracked' | 'unknown' | 'negative' | 'stale';

export interface BadgeSource {
  id: string;
  name: string;
  available: number;
}

/** Everything a badge shows: plain data, no page elements. */
export interface BadgeView {
  states: RowState[];
  sources: BadgeSource[];
  total: number | null;
  /** A short line when there are no numbers to show, or they may be out of date. */
  note: string | null;
}

/** What the content script knows about one SKU. */
export interface SkuKnowledge {
  /** The server's answer, possibly from an earlier fetch. */
  item?: InventoryItem;
  /** The server said it does not know this SKU. */
  unknown?: boolean;
  /** The last fetch failed; whatever is known may be out of date. */
  problem?: { problem: ConnectionProblem; message: string };
}

/** Decides what one row's badge says; null while nothing is known yet. */
export function badgeViewFor(knowledge: SkuKnowledge): BadgeView | null {
  const { item, unknown, problem } = knowledge;
  if (item) {
    const states: RowState[] = ['tracked'];
    if (item.sources.some((s) => s.available < 0) || item.totalAvailable < 0) states.push('negative');
    if (problem) states.push('stale');
    return {
      states,
      sources: item.sources.map((s) => ({ id: s.sourceId, name: s.sourceName, available: s.available })),
      total: item.totalAvailable,
      note: problem ? `May be out of date: ${problem.message}` : null,
    };
  }
  if (unknown) {
    return { states: problem ? ['unknown', 'stale'] : ['unknown'], sources: [], total: null, note: 'Not in onhand' };
  }
  if (problem) return { states: ['stale'], sources: [], total: null, note: problem.message };
  return null;
}
