import type { LookupReply, PageRow } from '@onhand/shared';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import type { ActionResult, BadgeActions } from '../overlay/badge-actions';
import { badgeViewFor, summarise, type BadgeView, type RowKnowledge } from '../overlay/badge-view';
import type { JumpKind } from '../overlay/summary-bar';
import type { PortalAdapter, PortalRow } from '../portals/portal-row';
import { BadgeHost, BadgeLayer, isOverlayNode, SummaryHost } from './badge-hosts';
import type { OverlayBackend } from './overlay-backend';
import { remedyRequest } from './remedy-requests';
import { scanScheduler } from './scan-scheduler';

export interface LiveLink {
  watch(skus: string[], listingIds: string[]): void;
  stop(): void;
}

export interface ListingOverlayOptions {
  adapter: PortalAdapter;
  backend: OverlayBackend;
  /** Live updates: calls `onChanged` when a change touches what was last passed to `watch`. */
  live?(onChanged: () => void): LiveLink;
  /** Quiet time after the last DOM change before rows are re-read. */
  debounceMs?: number;
  /** A page that never goes quiet is still re-read this long after its first change. */
  maxWaitMs?: number;
  /** A tab that comes back into view looks up again when its data is older than this. */
  refreshAfterMs?: number;
  /** After a failed lookup, ask again this much later (not on every DOM change). */
  retryAfterMs?: number;
  /** Unique keys for actions; crypto.randomUUID where it exists. */
  newKey?(): string;
}

/** The most rows one lookup may carry (api.md); a longer page is looked up in slices. */
const lookupBatch = 500;

/**
 * Keeps one badge on every listing row of a portal page, and a summary, for as
 * long as the content script lives. Portal pages are single-page apps: rows
 * appear late, are re-rendered on sort and pagination, and the URL changes
 * without a reload, so the page is re-read after every burst of DOM changes
 * and every URL change; one batched lookup per new set of rows. Everything
 * is registered on `ctx`, so an extension update or reload tears it down.
 */
export function startListingOverlay(ctx: ContentScriptContext, options: ListingOverlayOptions): void {
  const { adapter, backend, debounceMs = 40, maxWaitMs = 400, refreshAfterMs = 60_000, retryAfterMs = 15_000 } = options;
  const newKey = options.newKey ?? (() => crypto.randomUUID());
  const hosts = new Map<string, BadgeHost>();
  const knowledge = new Map<string, RowKnowledge>();
  const summary = new SummaryHost(document);
  const layer = new BadgeLayer(document);
  const watchedRoots = new WeakSet<Node>();
  let rows: PortalRow[] = [];
  let views = new Map<string, BadgeView | null>();
  let requested = '';
  let problem: string | null = null;
  let fetchedAt = 0;
  let fetchSeq = 0;
  const jumpCursor: Record<JumpKind, number> = { negative: -1, untracked: -1, drift: -1 };
  const live = options.live?.(() => void refreshNow());
  const scheduler = scanScheduler(ctx, () => scan(), { debounceMs, maxWaitMs });
  const scheduleScan = () => scheduler.changed();

  function scan(): void {
    if (ctx.isInvalid) return;
    const url = new URL(location.href);
    const listing = adapter.isListingPage(url);
    rows = listing ? adapter.readRows(document) : [];
    if (listing) for (const root of adapter.watchedRoots?.(document) ?? []) watch(root);
    const asked = rows.map(toPageRow);
    const signature = JSON.stringify(asked);
    if (rows.length > 0 && signature !== requested) {
      requested = signature;
      void lookUp(asked, signature);
    }
    render();
  }

  // At most one lookup of the same rows at a time: a live change or an
  // action while those rows are being looked up asks once more after that
  // answer (which may predate the change), instead of a second lookup racing
  // the first (the background reports unknown rows once; a racing lookup
  // would see them before that report lands and keep "unknown").
  let running: { signature: string; done: Promise<void> } | undefined;
  let queued: Promise<void> | undefined;

  function lookUp(asked: PageRow[], signature: string): Promise<void> {
    if (running?.signature === signature) {
      queued ??= running.done.then(() => {
        queued = undefined;
        const now = rows.map(toPageRow);
        return rows.length > 0 ? lookUp(now, JSON.stringify(now)) : undefined;
      });
      return queued;
    }
    const done: Promise<void> = refresh(asked).finally(() => {
      if (running?.done === done) running = undefined;
    });
    running = { signature, done };
    return done;
  }

  async function refresh(asked: PageRow[]): Promise<void> {
    const seq = ++fetchSeq;
    const url = new URL(location.href);
    const region = adapter.regionOf(url);
    const place = region ? { marketplace: adapter.marketplace, region } : { marketplace: adapter.marketplace };
    const replies: LookupReply[] = [];
    for (let start = 0; start < asked.length; start += lookupBatch) {
      replies.push(await options.backend.lookup({ ...place, rows: asked.slice(start, start + lookupBatch) }));
    }
    if (ctx.isInvalid || seq !== fetchSeq) return; // a newer render asked since
    fetchedAt = Date.now();
    const failed = replies.find((reply) => !reply.ok);
    if (failed && !failed.ok) {
      problem = failed.message;
      for (const row of asked) knowledge.set(row.key, { ...knowledge.get(row.key), problem: { problem: failed.problem, message: failed.message } });
      // Ask again later even if the rows stay the same.
      ctx.setTimeout(() => {
        if (seq !== fetchSeq) return;
        requested = '';
        scan();
      }, retryAfterMs);
    } else {
      problem = null;
      for (const reply of replies) if (reply.ok) for (const row of reply.data.rows) knowledge.set(row.key, { row });
      const found = replies.flatMap((reply) => (reply.ok ? reply.data.rows : []));
      live?.watch(
        [...new Set(found.flatMap((row) => (row.sku ? [row.sku] : [])))],
        [...new Set(found.flatMap((row) => (row.listingId ? [row.listingId] : [])))],
      );
    }
    render();
  }

  /** Looks the current rows up again now (after an action, or a live change). */
  function refreshNow(): Promise<void> {
    const asked = rows.map(toPageRow);
    requested = JSON.stringify(asked);
    return rows.length > 0 ? lookUp(asked, requested) : Promise.resolve();
  }

  async function act(request: Parameters<OverlayBackend['act']>[0] | null): Promise<ActionResult> {
    if (!request) return { ok: false, message: 'onhand cannot do this from here.' };
    const reply = await backend.act(request);
    if (!reply.ok) return { ok: false, message: reply.message };
    await refreshNow();
    return { ok: true };
  }

  const actions: BadgeActions = {
    importListing: (listingId) => act({ type: 'listings.import', listingId, idempotencyKey: newKey() }),
    explain: async (sku, sourceId) => {
      const reply = await backend.explain(sku, sourceId);
      return reply.ok ? reply : { ok: false, message: reply.message };
    },
    applyRemedy: (remedy, quantity) => act(remedyRequest(remedy, newKey(), quantity)),
  };

  function render(): void {
    const next = new Map<string, BadgeView | null>();
    const shown: { host: BadgeHost; view: BadgeView }[] = [];
    const fresh: BadgeHost[] = [];
    for (const row of rows) {
      const known = knowledge.get(row.key) ?? {};
      const view = badgeViewFor({ ...known, displayedQuantity: row.displayedQuantity });
      next.set(row.key, view);
      if (!view) continue;
      let host = hosts.get(row.key);
      if (host && !host.isAttached(row.anchor)) {
        host.detach();
        host = undefined;
      }
      if (!host) {
        host = new BadgeHost(row.key, row.anchor);
        hosts.set(row.key, host);
        fresh.push(host);
      }
      host.setStates(view);
      shown.push({ host, view });
    }
    for (const [key, host] of hosts) {
      if (!next.get(key)) {
        host.detach();
        hosts.delete(key);
      }
    }
    // All badges in one render pass; new hosts are filled before they go on
    // the page, so each row takes one insertion and no half-drawn badge.
    layer.render(shown, actions);
    for (const host of fresh) host.attach();
    views = next;
    if (rows.length === 0) {
      summary.remove();
      return;
    }
    summary.place(adapter.summaryAnchor?.(document) ?? null);
    summary.show(summarise([...views.values()], problem), jump);
  }

  /** Scrolls to the next row in `kind`, in page order, wrapping around. */
  function jump(kind: JumpKind): void {
    const matching = rows.filter((row) => {
      const states = views.get(row.key)?.states ?? [];
      return kind === 'untracked' ? states.includes('untracked') || states.includes('unknown') : states.includes(kind);
    });
    if (matching.length === 0) return;
    jumpCursor[kind] = (jumpCursor[kind] + 1) % matching.length;
    const target = matching[jumpCursor[kind]];
    if (target) hosts.get(target.key)?.reveal();
  }

  function removeAll(): void {
    layer.clear();
    for (const host of hosts.values()) host.detach();
    hosts.clear();
    summary.remove();
  }

  const observer = new MutationObserver((records) => {
    if (records.every(isOwnMutation)) return;
    scheduleScan();
  });
  function watch(root: Node): void {
    if (watchedRoots.has(root)) return;
    watchedRoots.add(root);
    observer.observe(root, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-sku', 'data-row-data', 'data-id', 'value', 'href', 'id'],
    });
  }
  watch(document.documentElement);

  // WXT fires this when the URL changes without a page load (pushState, back/forward).
  ctx.addEventListener(window, 'wxt:locationchange', () => scheduleScan());
  ctx.addEventListener(document, 'visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - fetchedAt > refreshAfterMs) {
      requested = '';
      scheduleScan();
    }
  });
  ctx.onInvalidated(() => {
    observer.disconnect();
    live?.stop();
    scheduler.stop();
    removeAll();
  });

  scan();
}

function toPageRow(row: PortalRow): PageRow {
  const page: PageRow = { key: row.key };
  if (row.channelSku !== undefined) page.channelSku = row.channelSku;
  if (row.externalId !== undefined) page.externalId = row.externalId;
  if (row.title !== undefined) page.title = row.title.slice(0, 500);
  if (row.displayedQuantity !== undefined) page.displayedQuantity = row.displayedQuantity;
  return page;
}

/** Mutations made by the overlay itself: adding, removing or updating its hosts. */
function isOwnMutation(record: MutationRecord): boolean {
  if (isOverlayNode(record.target)) return true;
  if (record.type !== 'childList') return false;
  const changed = [...record.addedNodes, ...record.removedNodes];
  return changed.length > 0 && changed.every(isOverlayNode);
}
