import { useState } from 'preact/hooks';
import type { LedgerEntry } from '@onhand/shared';
import { describeEntry } from './format';

const width = 320;
const height = 110;
const pad = { left: 28, right: 8, top: 8, bottom: 16 };

/**
 * A SKU's quantity history at one source as a small inline SVG: on hand
 * (solid) and committed (dashed) after each ledger entry, oldest on the
 * left. Every point is focusable and explains itself (reason, change,
 * actor, time) in its title and in the caption below.
 */
export function HistoryChart({ entries, sourceName }: { entries: readonly LedgerEntry[]; sourceName: string }) {
  const [explained, setExplained] = useState<string | null>(null);
  if (entries.length === 0) return <p class="muted" data-part="history-empty">No changes recorded at {sourceName} yet.</p>;
  const ordered = [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : Number(a.id) - Number(b.id)));
  const values = ordered.map((e) => e.balanceAfter);
  const min = Math.min(0, ...values);
  const max = Math.max(1, ...values);
  const x = (i: number) => pad.left + (ordered.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (ordered.length - 1));
  const y = (v: number) => pad.top + ((max - v) * (height - pad.top - pad.bottom)) / (max - min);
  const line = (bucket: LedgerEntry['bucket']) => {
    // Each bucket keeps its level between its own entries (a step line).
    let last: number | null = null;
    const points: string[] = [];
    ordered.forEach((entry, i) => {
      if (entry.bucket === bucket) last = entry.balanceAfter;
      if (last !== null) points.push(`${x(i).toFixed(1)},${y(last).toFixed(1)}`);
    });
    return points.join(' ');
  };
  return (
    <figure class="chart" data-part="history-chart">
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="group" aria-label={`Quantity history at ${sourceName}`}>
        <line class="axis" x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} />
        <text class="tick" x={pad.left - 4} y={y(max) + 4} text-anchor="end">{max}</text>
        <text class="tick" x={pad.left - 4} y={y(min) + 4} text-anchor="end">{min}</text>
        <polyline class="line on-hand" points={line('on_hand')} />
        <polyline class="line committed" points={line('committed')} />
        {ordered.map((entry, i) => {
          const text = describeEntry(entry, sourceName);
          return (
            <circle
              key={entry.id}
              class={`point ${entry.bucket === 'on_hand' ? 'on-hand' : 'committed'}`}
              cx={x(i)}
              cy={y(entry.balanceAfter)}
              r={4}
              tabIndex={0}
              aria-label={text}
              data-entry={entry.id}
              onMouseEnter={() => setExplained(text)}
              onFocus={() => setExplained(text)}
            >
              <title>{text}</title>
            </circle>
          );
        })}
      </svg>
      <figcaption aria-live="polite" data-part="history-caption">
        {explained ?? 'On hand (solid) and committed (dashed). Point at a dot to see what happened.'}
      </figcaption>
    </figure>
  );
}
