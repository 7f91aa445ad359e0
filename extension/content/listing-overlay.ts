import type { BySkusReply, InventoryItem } from '@onhand/shared';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { badgeViewFor, type SkuKnowledge } from '../overlay/badge-view';
import type { PortalAdapter, PortalRow } from '../portals/portal-row';
import { BadgeHost, isBadgeHost } from './badge-hosts';

export interface ListingOverlayOptions {
  adapter: PortalAdapter;
  /** One request for every SKU of a page render (the background batches to the server). */
  fetchInventory(skus: string[]): Promise<BySkusReply>;
  /** Quiet time after the last DOM change before rows are re-read. */
  debounceMs?: number;
  /** A tab that comes back into view re-fetches when its data is older than this. */
  refreshAfterMs?: number;
  /** After a failed fetch, ask again this much later (not on every DOM change). */
  retryAfterMs?: number;
}

/**
 * Keeps one badge on every listing row of a portal page, for as long as the
 * content script lives. Portal pages are single-page apps: rows appear late,
 * are re-rendered on sort and pagination, and the URL changes without a
 * reload, so the page is re-read after every burst of DOM changes and every
 * URL change. Everything is registered on `ctx`, so an extension update or
 * reload tears it all down.
 */
export function startListingOverlay(ctx: ContentScriptContext, options: ListingOverlayOptions): void {
  const { adapter, fetchInventory, debounceMs = 150, refreshAfterMs = 60_000, retryAfterMs = 15_000 } = options;
  const hosts = new Map<string, BadgeHost>();
  const knowledge = new Map<string, SkuKnowledge>();
  let rows: PortalRow[] = [];
  let requestedSkus = '';
  let fetchedAt = 0;
  let fetchSeq = 0;
  let pendingScan: number | undefined;

  function scheduleScan(): void {
    if (pendingScan !== undefined) clearTimeout(pendingScan);
    pendingScan = ctx.setTimeout(() => {
      pendingScan = undefined;
      scan();
    }, debounceMs);
  }

  function scan(): void {
    if (ctx.isInvalid) return;
    rows = adapter.isListingPage(new URL(location.href)) ? adapter.readRows(document) : [];
    const skus = [...new Set(rows.map((r) => r.sku))].sort();
    const skusKey = skus.join('\n');
    if (skus.length > 0 && skusKey !== requestedSkus) {
      requestedSkus = skusKey;
      void refresh(skus);
    }
    renderBadges();
  }

  async function refresh(skus: string[]): Promise<void> {
    const seq = ++fetchSeq;
    let reply: BySkusReply;
    try {
      reply = await fetchInventory(skus);
    } catch {
      // The extension was reloaded or its worker is gone; ctx notices the first case.
      reply = { ok: false, problem: 'error', message: 'The onhand extension is not responding. Reload the page.' };
    }
    if (ctx.isInvalid || seq !== fetchSeq) return; // a newer render asked since
    fetchedAt = Date.now();
    if (reply.ok) {
      const found = new Map<string, InventoryItem>(reply.data.items.map((item) => [item.sku, item]));
      for (const sku of skus) {
        const item = found.get(sku);
        knowledge.set(sku, item ? { item } : { unknown: true });
      }
    } else {
      const problem = { problem: reply.problem, message: reply.message };
      for (const sku of skus) knowledge.set(sku, { ...knowledge.get(sku), problem });
      // Ask again later even if the SKU set stays the same.
      ctx.setTimeout(() => {
        if (seq !== fetchSeq) return;
        requestedSkus = '';
        scan();
      }, retryAfterMs);
    }
    renderBadges();
  }

  function renderBadges(): void {
    const live = new Set<string>();
    for (const row of rows) {
      const view = badgeViewFor(knowledge.get(row.sku) ?? {});
      if (!view) continue;
      live.add(row.key);
      let host = hosts.get(row.key);
      if (host && !host.isAttached(row.anchor)) {
        host.remove();
        host = undefined;
      }
      if (!host) {
        host = new BadgeHost(row.key, row.anchor);
        hosts.set(row.key, host);
      }
      host.show(view);
    }
    for (const [key, host] of hosts) {
      if (!live.has(key)) {
        host.remove();
        hosts.delete(key);
      }
    }
  }

  function removeAll(): void {
    for (const host of hosts.values()) host.remove();
    hosts.clear();
  }

  const observer = new MutationObserver((records) => {
    if (records.every(isOwnMutation)) return;
    scheduleScan();
  });
  observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['data-sku', 'data-row-data', 'value', 'href'],
  });

  // WXT fires this when the URL changes without a page load (pushState, back/forward).
  ctx.addEventListener(window, 'wxt:locationchange', () => scheduleScan());
  ctx.addEventListener(document, 'visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - fetchedAt > refreshAfterMs) {
      requestedSkus = '';
      scheduleScan();
    }
  });
  ctx.onInvalidated(() => {
    observer.disconnect();
    if (pendingScan !== undefined) clearTimeout(pendingScan);
    removeAll();
  });

  scan();
}

/** Mutations made by the overlay itself: adding, removing or updating badge hosts. */
function isOwnMutation(record: MutationRecord): boolean {
  if (isBadgeHost(record.target)) return true;
  if (record.type !== 'childList') return false;
  const changed = [...record.addedNodes, ...record.removedNodes];
  return changed.length > 0 && changed.every(isBadgeHost);
}
