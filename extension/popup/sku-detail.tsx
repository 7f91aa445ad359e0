import { useEffect, useRef, useState } from 'preact/hooks';
import type { CatalogResult, Failure, LedgerEntry } from '@onhand/shared';
import { safely, type Ask } from './ask';
import { HistoryChart } from './history-chart';
import { OpenOrders } from './open-orders';
import { QuickActions } from './quick-actions';
import { publishedLabel } from './search-view';
import { SourceBars } from './source-bars';
import { WarningList } from './warning-list';

/**
 * One SKU: quantities per source, its quantity history at a source as a
 * chart, its listings per channel, its open orders with their routing, and
 * the quick actions. Escape goes back.
 */
export function SkuDetail({ ask, initial, refreshTick, onBack }: { ask: Ask; initial: CatalogResult; refreshTick: number; onBack(): void }) {
  const [result, setResult] = useState(initial);
  const [sourceId, setSourceId] = useState((initial.sources.find((s) => s.kind === 'merchant') ?? initial.sources[0])?.sourceId ?? '');
  const [entries, setEntries] = useState<LedgerEntry[] | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [reloads, setReloads] = useState(0);
  const back = useRef<HTMLButtonElement>(null);
  useEffect(() => back.current?.focus({ preventScroll: true }), []);

  useEffect(() => {
    if (refreshTick === 0 && reloads === 0) return;
    void (async () => {
      const reply = await safely(ask, { type: 'search.catalog', query: initial.sku, limit: 5 });
      const fresh = reply.ok ? reply.data.results.find((r) => r.sku === initial.sku) : undefined;
      if (fresh) setResult(fresh);
      if (!reply.ok) setFailure(reply);
    })();
  }, [refreshTick, reloads]);

  useEffect(() => {
    if (!sourceId) return;
    let current = true;
    void (async () => {
      const reply = await safely(ask, { type: 'inventory.history', sku: initial.sku, sourceId, limit: 40 });
      if (!current) return;
      if (reply.ok) {
        setEntries(reply.data.entries);
        setFailure(null);
      } else setFailure(reply);
    })();
    return () => {
      current = false;
    };
  }, [sourceId, refreshTick, reloads]);

  const sourceName = result.sources.find((s) => s.sourceId === sourceId)?.sourceName ?? '';

  return (
    <section
      class="detail"
      aria-label={`${result.sku} details`}
      data-sku={result.sku}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onBack();
        }
      }}
    >
      <div class="detail-head">
        <button type="button" class="link" data-action="back" onClick={onBack} ref={back}>
          ← Back
        </button>
        <strong data-part="sku">{result.sku}</strong>
      </div>
      <p class="title" data-part="title">{result.title}</p>
      {failure && (
        <p class="problem" role="alert" data-problem={failure.problem}>
          {failure.message}
        </p>
      )}
      <SourceBars sources={result.sources} />
      <WarningList warnings={result.warnings} />
      <h2>History</h2>
      <div class="chips" role="radiogroup" aria-label="Source">
        {result.sources.map((s) => (
          <button key={s.sourceId} type="button" role="radio" aria-checked={s.sourceId === sourceId} class="chip" onClick={() => setSourceId(s.sourceId)}>
            {s.sourceName}
          </button>
        ))}
      </div>
      {entries === null ? <p class="muted">Loading history…</p> : <HistoryChart entries={entries} sourceName={sourceName} />}
      <h2>Listings</h2>
      {result.listings.length === 0 ? (
        <p class="muted">Not listed on any channel.</p>
      ) : (
        <table class="listings" data-part="listings">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Id</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            {result.listings.map((l) => (
              <tr key={l.listingId} data-listing={l.listingId} data-status={l.status}>
                <td>{l.channelName}</td>
                <td>
                  {[l.channelSku, l.externalId].filter(Boolean).join(' · ')}
                </td>
                <td>{publishedLabel(l)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <OpenOrders ask={ask} sku={result.sku} sources={result.sources} refreshTick={refreshTick + reloads} onChanged={() => setReloads((n) => n + 1)} />
      <QuickActions ask={ask} sku={result.sku} sources={result.sources} onDone={() => setReloads((n) => n + 1)} />
    </section>
  );
}
