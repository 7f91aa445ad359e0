import { Fragment } from 'preact';
import type { BadgeView } from './badge-view';

/**
 * One row's inventory badge: available per source ("MF 12 · FBA 30"), the
 * total, negatives in red. Everything is rendered as text nodes.
 */
export function InventoryBadge({ view }: { view: BadgeView }) {
  const negative = view.states.includes('negative');
  const tone = negative ? 'negative' : view.total === null ? 'muted' : 'normal';
  const title = view.note ?? 'Available per source, from onhand';
  return (
    // No live region: a page of rows updating at once would flood a screen reader.
    <span class="badge" data-tone={tone} title={title}>
      <span class="brand">onhand</span>
      {view.sources.length > 0 && (
        <span class="sources" data-part="sources">
          {view.sources.map((s, index) => (
            <Fragment key={s.id}>
              {index > 0 && <span class="separator"> · </span>}
              <span class={s.available < 0 ? 'source negative' : 'source'} data-source={s.name}>
                {s.name} {s.available}
              </span>
            </Fragment>
          ))}
        </span>
      )}
      {view.total !== null && (
        <span class={view.total < 0 ? 'total negative' : 'total'} data-part="total">
          Total {view.total}
        </span>
      )}
      {view.note && (
        <span class="note" data-part="note">
          {view.note}
        </span>
      )}
    </span>
  );
}
