import type { SourceQuantity } from '@onhand/shared';

/** Available per source, each with a small bar (relative to the largest), red when negative. */
export function SourceBars({ sources }: { sources: readonly SourceQuantity[] }) {
  const scale = Math.max(1, ...sources.map((s) => Math.abs(s.available)));
  return (
    <ul class="sources" data-part="sources">
      {sources.map((s) => (
        <li key={s.sourceId} data-source={s.sourceName} class={s.available < 0 ? 'negative' : undefined}>
          <span class="source-name">{s.sourceName}</span>
          <span class="bar" aria-hidden="true">
            <span class="fill" style={{ width: `${Math.round((Math.abs(s.available) / scale) * 100)}%` }} />
          </span>
          <span class="qty" data-part="available">{s.available}</span>
          {s.committed !== 0 && <span class="committed">({s.committed} committed)</span>}
        </li>
      ))}
    </ul>
  );
}
