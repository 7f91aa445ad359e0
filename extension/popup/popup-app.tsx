import { useEffect, useState } from 'preact/hooks';
import type { CatalogResult, ConnectionStatus, Failure, SearchAttentionOutput } from '@onhand/shared';
import { safely, type Ask } from './ask';
import { AttentionView } from './attention-view';
import { SearchView } from './search-view';
import { SkuDetail } from './sku-detail';

/**
 * The background's live channel: `onChanged` after every change, `onClosed`
 * when it drops, `onOpened` when it is back; returns a function that closes it.
 */
export type ConnectLive = (handlers: { onChanged(): void; onClosed(): void; onOpened(): void }) => () => void;

type Tab = 'search' | 'attention';

function ConnectionBar({ status, live, stale, openOptions }: { status: ConnectionStatus | null; live: boolean; stale: boolean; openOptions(): void }) {
  const state = !status ? 'checking' : status.authorized ? 'connected' : status.reachable ? 'not-authorized' : 'unreachable';
  const freshness = !status?.authorized ? null : stale ? 'stale' : live ? 'live' : 'stale';
  return (
    <header class="bar" data-connection={state} data-freshness={freshness ?? undefined}>
      <span class="brand">onhand</span>
      <span class="dot" aria-hidden="true" />
      <span class="who" data-part="tenant">
        {!status ? 'Checking…' : status.authorized ? (status.tenantName ?? 'Connected') : status.reachable ? 'Not signed in' : 'Server not reachable'}
      </span>
      {freshness && (
        <span class={`freshness ${freshness}`} data-part="freshness" title={freshness === 'live' ? 'Updates as they happen' : 'Not receiving live updates: numbers may be old'}>
          {freshness}
        </span>
      )}
      <button type="button" class="link settings" onClick={openOptions} title="Connection settings">
        Settings
      </button>
    </header>
  );
}

/**
 * The toolbar popup: a quick inventory check. Connection at a glance, search
 * as you type, a SKU's detail, and what needs attention — kept current by
 * the background's live subscription while the popup is open.
 */
export function PopupApp({ ask, connectLive, openOptions }: { ask: Ask; connectLive?: ConnectLive; openOptions(): void }) {
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const [attention, setAttention] = useState<SearchAttentionOutput | null>(null);
  const [attentionFailure, setAttentionFailure] = useState<Failure | null>(null);
  const [tab, setTab] = useState<Tab>('search');
  const [detail, setDetail] = useState<CatalogResult | null>(null);
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState(false);

  async function loadStatus(): Promise<void> {
    const reply = await safely(ask, { type: 'connection.status' });
    setStatus('ok' in reply ? { serverUrl: '', reachable: false, authorized: false, tenantName: null, problem: reply.problem, message: reply.message } : reply);
  }

  async function loadAttention(): Promise<void> {
    const reply = await safely(ask, { type: 'search.attention' });
    if (reply.ok) {
      setAttention(reply.data);
      setAttentionFailure(null);
    } else setAttentionFailure(reply);
  }

  useEffect(() => {
    void loadStatus();
    void loadAttention();
    if (!connectLive) return;
    setLive(true);
    const close = connectLive({
      onChanged: () => {
        setTick((n) => n + 1);
        void loadAttention();
        void loadStatus();
      },
      onClosed: () => setLive(false),
      onOpened: () => setLive(true),
    });
    return close;
  }, []);

  const problem = status && !status.authorized ? status : null;
  const stale = attentionFailure !== null;
  const count = attention?.counts.total;

  return (
    <div class="popup">
      <ConnectionBar status={status} live={live} stale={stale} openOptions={openOptions} />
      {problem && (
        <div class="problem banner" role="alert" data-problem={problem.problem ?? undefined}>
          <p data-part="problem-message">{problem.message}</p>
          <button type="button" onClick={openOptions}>
            Open the options
          </button>
        </div>
      )}
      <nav class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'search'} data-tab="search" onClick={() => setTab('search')}>
          Search
        </button>
        <button type="button" role="tab" aria-selected={tab === 'attention'} data-tab="attention" onClick={() => setTab('attention')}>
          Needs attention{count !== undefined && <span class={`count${count > 0 ? ' some' : ''}`} data-part="attention-count">{count}</span>}
        </button>
      </nav>
      <div role="tabpanel" hidden={tab !== 'search'}>
        {detail ? (
          <SkuDetail key={detail.sku} ask={ask} initial={detail} refreshTick={tick} onBack={() => setDetail(null)} />
        ) : null}
        <div hidden={detail !== null}>
          <SearchView ask={ask} refreshTick={tick} onOpen={setDetail} />
        </div>
      </div>
      {tab === 'attention' && (
        <div role="tabpanel">
          {attentionFailure && (
            <p class="problem" role="alert" data-problem={attentionFailure.problem}>
              {attentionFailure.message}
            </p>
          )}
          {attention ? (
            <AttentionView ask={ask} attention={attention} onChanged={() => void loadAttention()} />
          ) : (
            !attentionFailure && <p class="muted">Loading…</p>
          )}
        </div>
      )}
    </div>
  );
}
