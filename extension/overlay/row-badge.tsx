import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { BadgeActions } from './badge-actions';
import type { BadgeView } from './badge-view';
import { ExplanationPanel } from './explanation-panel';

/**
 * One row's badge: available per source ("MF 12 · FBA 40 · Deliverr 6"), the
 * published quantity and whether it reached the marketplace, and warnings
 * with what to do about them. Everything is rendered as text nodes, one per
 * phrase (a page draws hundreds of badges at once: fewer nodes, faster).
 */
export function RowBadge({ view, actions }: { view: BadgeView; actions: BadgeActions }) {
  const [importing, setImporting] = useState(false);
  const [importError, setImportError] = useState<string | null>(null);
  const [explaining, setExplaining] = useState<string | null>(null);
  const negative = view.states.includes('negative');
  const muted = view.sources.length === 0 && view.published === null;
  const tone = negative ? 'negative' : view.states.includes('drift') ? 'warning' : muted ? 'muted' : 'normal';
  const canImport = view.listingId !== null && (view.states.includes('untracked') || view.states.includes('unknown'));

  async function onImport(): Promise<void> {
    if (!view.listingId) return;
    setImporting(true);
    setImportError(null);
    const result = await actions.importListing(view.listingId);
    // On success the overlay looks the row up again and this badge turns tracked.
    setImporting(false);
    if (!result.ok) setImportError(result.message);
  }

  const explainedSource = view.negativeSources.find((s) => s.id === explaining) ?? null;

  return (
    // No live region: a page of rows updating at once would flood a screen reader.
    <span class="badge" data-tone={tone} data-states={view.states.join(' ')}>
      <span class="brand" title="Inventory from onhand">onhand</span>
      {view.sources.length > 0 && (
        <span class="sources" data-part="sources">
          {view.sources.map((s, index) => (
            <Fragment key={s.id}>
              {index > 0 && <span class="separator"> · </span>}
              <span class={s.available < 0 ? 'source negative' : 'source'} data-source={s.name}>
                {`${s.name} ${s.available}`}
              </span>
            </Fragment>
          ))}
        </span>
      )}
      {view.published !== null && (
        <span class="published" data-part="published" title={view.push?.detail ?? 'Quantity onhand publishes to this listing'}>
          {`Listed ${view.published}`}
          {view.push && (
            <span class="push" data-push={view.push.tone} data-part="push">
              {` ${view.push.label}`}
            </span>
          )}
        </span>
      )}
      {view.driftShown !== null && (
        <span class="warning drift" data-part="drift" title="The page shows a different quantity than onhand publishes">
          {`Page shows ${view.driftShown}`}
        </span>
      )}
      {view.warnings.map((w) => (
        <span key={w.code} class="warning" data-warning={w.code} title={w.message}>
          {w.code === 'UNMATCHED' ? 'Unmatched' : w.code === 'UNTRACKED' ? 'Untracked' : w.message}
        </span>
      ))}
      {view.negativeSources.map((s) => (
        <button
          key={s.id}
          type="button"
          class="action danger"
          data-action="explain"
          data-source-id={s.id}
          aria-expanded={explaining === s.id}
          onClick={() => setExplaining(explaining === s.id ? null : s.id)}
        >
          {`Why is ${s.name} ${s.available}?`}
        </button>
      ))}
      {canImport && (
        <button type="button" class="action primary" data-action="import" disabled={importing} onClick={() => void onImport()}>
          {importing ? 'Importing…' : 'Import'}
        </button>
      )}
      {view.note && (
        <span class="note" data-part="note">
          {view.note}
        </span>
      )}
      {importError && (
        <span class="error" role="alert" data-part="error">
          {importError}
        </span>
      )}
      {explainedSource && view.sku && (
        <ExplanationPanel sku={view.sku} source={explainedSource} actions={actions} onClose={() => setExplaining(null)} />
      )}
    </span>
  );
}
