import type { PageSummary } from './badge-view';

export type JumpKind = 'negative' | 'untracked' | 'drift';

/**
 * One line above the listings: "12 listings · 1 negative · 2 untracked · 0
 * drifting". A count above zero is a button that scrolls to the next such row.
 */
export function SummaryBar({ summary, onJump }: { summary: PageSummary; onJump(kind: JumpKind): void }) {
  const counts: { kind: JumpKind; count: number; word: string }[] = [
    { kind: 'negative', count: summary.negative, word: 'negative' },
    { kind: 'untracked', count: summary.untracked, word: 'untracked' },
    { kind: 'drift', count: summary.drifting, word: 'drifting' },
  ];
  return (
    <div class="summary" role="region" aria-label="onhand summary" data-tone={summary.problem ? 'stale' : summary.negative > 0 ? 'negative' : 'normal'}>
      <span class="brand">onhand</span>
      <span data-count="listings">
        {summary.listings} {summary.listings === 1 ? 'listing' : 'listings'}
      </span>
      {counts.map(({ kind, count, word }) => (
        <span key={kind} class="count">
          <span class="separator"> · </span>
          {count > 0 ? (
            <button type="button" class={kind === 'negative' ? 'jump negative' : 'jump'} data-count={kind} onClick={() => onJump(kind)} title={`Scroll to the next ${word} listing`}>
              {count} {word}
            </button>
          ) : (
            <span data-count={kind}>
              {count} {word}
            </span>
          )}
        </span>
      ))}
      {summary.problem && (
        <span class="problem" role="status" data-part="problem">
          {summary.problem}
        </span>
      )}
    </div>
  );
}
