import type { ConnectionProblem, LookupRow, WarningCode } from '@onhand/shared';

/** Values of a badge host's `data-onhand-state` (see api.md "Extension test hooks"). */
export type RowState = 'tracked' | 'untracked' | 'unknown' | 'negative' | 'drift' | 'stale';

export interface BadgeSource {
  id: string;
  name: string;
  available: number;
}

export interface PushView {
  /** Short word for the badge: "live", "sending", "failed". */
  label: string;
  tone: 'ok' | 'pending' | 'failed';
  /** Longer sentence for the tooltip / screen readers. */
  detail: string;
}

/** Everything a badge shows: plain data, no page elements. */
export interface BadgeView {
  states: RowState[];
  /** onhand's product SKU, when the row is linked to one. */
  sku: string | null;
  /** The listing onhand knows for this row (needed to import it). */
  listingId: string | null;
  sources: BadgeSource[];
  /** What onhand publishes to the marketplace for this listing. */
  published: number | null;
  push: PushView | null;
  /** What the page itself shows, when it differs from what is published. */
  driftShown: number | null;
  warnings: { code: WarningCode; message: string }[];
  /** Sources below zero: each can be explained. */
  negativeSources: BadgeSource[];
  /** A short line when there are no numbers to show, or they may be out of date. */
  note: string | null;
}

/** What the content script knows about one row. */
export interface RowKnowledge {
  /** The server's answer, possibly from an earlier lookup. */
  row?: LookupRow;
  /** The quantity the page shows now. */
  displayedQuantity?: number;
  /** The last lookup failed; whatever is known may be out of date. */
  problem?: { problem: ConnectionProblem; message: string };
}

/** Decides what one row's badge says; null while nothing is known yet. */
export function badgeViewFor(knowledge: RowKnowledge): BadgeView | null {
  const { row, problem } = knowledge;
  if (!row) {
    if (!problem) return null;
    return { ...empty, states: ['stale'], note: problem.message };
  }
  const sources = row.sources.map((s) => ({ id: s.sourceId, name: s.sourceName, available: s.available }));
  const warnings = row.warnings.map((w) => ({ code: w.code, message: w.message }));
  const negativeSources = sources.filter((s) => s.available < 0);
  const published = row.publishedQuantity ?? null;
  const displayed = knowledge.displayedQuantity;
  const drift = warnings.some((w) => w.code === 'DRIFT') || (published !== null && displayed !== undefined && displayed !== published);

  const states: RowState[] = [row.match];
  if (negativeSources.length > 0 || warnings.some((w) => w.code === 'NEGATIVE')) states.push('negative');
  if (drift) states.push('drift');
  if (problem) states.push('stale');

  let note: string | null = null;
  if (row.match === 'unknown') note = 'Not in onhand';
  else if (row.match === 'untracked') note = 'Not managed by onhand';
  if (problem) note = `May be out of date: ${problem.message}`;

  return {
    states,
    sku: row.sku ?? null,
    listingId: row.listingId ?? null,
    sources,
    published,
    push: row.push ? pushView(row.push) : null,
    driftShown: drift && displayed !== undefined ? displayed : null,
    // Negative and drift have their own places in the badge; the rest are listed.
    warnings: warnings.filter((w) => w.code !== 'NEGATIVE' && w.code !== 'DRIFT' && !(w.code === 'UNTRACKED' && row.match === 'untracked')),
    negativeSources,
    note,
  };
}

const empty: BadgeView = {
  states: [],
  sku: null,
  listingId: null,
  sources: [],
  published: null,
  push: null,
  driftShown: null,
  warnings: [],
  negativeSources: [],
  note: null,
};

function pushView(push: NonNullable<LookupRow['push']>): PushView {
  switch (push.state) {
    case 'acknowledged':
      return { label: 'live', tone: 'ok', detail: `The marketplace confirmed ${push.desired}.` };
    case 'pushed':
      return { label: 'sent', tone: 'pending', detail: `Sent ${push.pushed ?? push.desired}; waiting for the marketplace to confirm.` };
    case 'pending':
      return { label: 'sending', tone: 'pending', detail: `Waiting to send ${push.desired} to the marketplace.` };
    case 'failed':
      return { label: 'failed', tone: 'failed', detail: `Sending ${push.desired} to the marketplace failed; onhand retries.` };
  }
}

/** Counts for the page summary. */
export interface PageSummary {
  listings: number;
  negative: number;
  untracked: number;
  drifting: number;
  /** Why the numbers may be out of date, when they are. */
  problem: string | null;
}

export function summarise(views: (BadgeView | null)[], problem: string | null): PageSummary {
  const count = (state: RowState) => views.filter((v) => v?.states.includes(state)).length;
  return {
    listings: views.length,
    negative: count('negative'),
    // An unknown row is an untracked listing the server has not seen yet.
    untracked: views.filter((v) => v?.states.includes('untracked') || v?.states.includes('unknown')).length,
    drifting: count('drift'),
    problem,
  };
}
