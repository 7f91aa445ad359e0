import { useEffect, useRef, useState } from 'preact/hooks';
import type { CatalogResult, Failure, SearchListing } from '@onhand/shared';
import { safely, type Ask } from './ask';
import { SourceBars } from './source-bars';
import { WarningList } from './warning-list';

const debounceMs = 120;

export function publishedLabel(listing: SearchListing): string {
  if (listing.status === 'untracked') return 'untracked';
  if (listing.fulfilledBy === 'marketplace') return 'counted by marketplace';
  if (listing.publishedQuantity === undefined) return '—';
  const state = listing.push?.state;
  return `${listing.publishedQuantity}${state === 'failed' ? ' (push failed)' : state === 'pending' ? ' (sending)' : ''}`;
}

function ResultCard({ result }: { result: CatalogResult }) {
  const committed = result.sources.reduce((sum, s) => sum + s.committed, 0);
  return (
    <>
      <div class="result-head">
        <strong class="sku" data-part="sku">{result.sku}</strong>
        <span class="total" title="Available, all sources">{result.totalAvailable}</span>
      </div>
      <div class="title" data-part="title">{result.title}</div>
      <SourceBars sources={result.sources} />
      <div class="meta">
        {committed > 0 && <span data-part="committed">{committed} committed · </span>}
        {result.listings.length === 0 ? (
          <span>not listed</span>
        ) : (
          <span data-part="published">
            {result.listings.map((l, i) => (
              <span key={l.listingId}>
                {i > 0 && ' · '}
                {l.channelName} {publishedLabel(l)}
              </span>
            ))}
          </span>
        )}
      </div>
      <WarningList warnings={result.warnings} />
    </>
  );
}

/**
 * Search as you type (debounced), over SKU, title and listing identifiers.
 * ↑/↓ move through the results, Enter opens one.
 */
export function SearchView({ ask, refreshTick, onOpen, initialQuery = '' }: { ask: Ask; refreshTick: number; onOpen(result: CatalogResult): void; initialQuery?: string }) {
  const [query, setQuery] = useState(initialQuery);
  const [results, setResults] = useState<CatalogResult[] | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const sequence = useRef(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  async function run(text: string): Promise<void> {
    const mine = ++sequence.current;
    if (text.trim() === '') {
      setResults(null);
      setFailure(null);
      setBusy(false);
      return;
    }
    setBusy(true);
    const reply = await safely(ask, { type: 'search.catalog', query: text });
    if (mine !== sequence.current) return; // a newer keystroke won
    setBusy(false);
    if (reply.ok) {
      setResults(reply.data.results);
      setFailure(null);
      setActive((i) => Math.min(i, Math.max(0, reply.data.results.length - 1)));
    } else {
      setFailure(reply);
    }
  }

  useEffect(() => {
    const timer = setTimeout(() => void run(query), debounceMs);
    return () => clearTimeout(timer);
  }, [query]);

  // A live change: search again at once, keeping what is shown meanwhile.
  useEffect(() => {
    if (refreshTick > 0) void run(query);
  }, [refreshTick]);

  function onKeyDown(event: KeyboardEvent): void {
    const count = results?.length ?? 0;
    if (event.key === 'ArrowDown' && count > 0) {
      event.preventDefault();
      setActive((i) => (i + 1) % count);
    } else if (event.key === 'ArrowUp' && count > 0) {
      event.preventDefault();
      setActive((i) => (i - 1 + count) % count);
    } else if (event.key === 'Enter' && results?.[active]) {
      event.preventDefault();
      onOpen(results[active]);
    }
  }

  return (
    <section class="search" aria-label="Search inventory">
      <input
        ref={input}
        name="search"
        type="search"
        placeholder="SKU, title, ASIN or item id"
        autocomplete="off"
        spellcheck={false}
        value={query}
        aria-expanded={results !== null && results.length > 0}
        aria-controls="results"
        aria-activedescendant={results?.[active] ? `result-${active}` : undefined}
        onInput={(event) => setQuery(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      {failure && (
        <p class="problem" role="alert" data-problem={failure.problem}>
          {failure.message}
          {results && ' Showing the last results.'}
        </p>
      )}
      {results !== null && (
        <ul id="results" class="results" role="listbox" aria-label="Results" aria-busy={busy} data-count={results.length} data-stale={failure ? 'true' : undefined}>
          {results.length === 0 && !busy && <li class="muted">Nothing matches “{query}”.</li>}
          {results.map((result, i) => (
            <li
              key={result.sku}
              id={`result-${i}`}
              role="option"
              aria-selected={i === active}
              class={`result${i === active ? ' active' : ''}`}
              data-sku={result.sku}
              onMouseMove={() => setActive(i)}
              onClick={() => onOpen(result)}
            >
              <ResultCard result={result} />
            </li>
          ))}
        </ul>
      )}
      {results === null && !failure && <p class="muted hint">Type to search the whole catalogue. ↑ ↓ to choose, Enter to open.</p>}
    </section>
  );
}
