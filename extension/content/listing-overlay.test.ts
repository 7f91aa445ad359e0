// @vitest-environment happy-dom
import type { ActionReply, LookupReply, LookupRow, PageRow } from '@onhand/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { amazonAdapter } from '../portals/amazon/amazon-adapter';
import { amazonFixtures, readAmazonFixture } from '../portals/amazon/fixture-pages';
import { startListingOverlay, type LiveLink } from './listing-overlay';
import type { OverlayBackend } from './overlay-backend';

/** The parts of WXT's content-script context the overlay uses, with a switch to tear it down. */
function fakeContext() {
  const onInvalidated: (() => void)[] = [];
  const removers: (() => void)[] = [];
  const ctx = {
    isInvalid: false,
    setTimeout: (handler: () => void, ms: number) => window.setTimeout(handler, ms),
    requestAnimationFrame: (callback: FrameRequestCallback) => window.requestAnimationFrame(callback),
    addEventListener: (target: EventTarget, type: string, handler: EventListener) => {
      target.addEventListener(type, handler);
      removers.push(() => target.removeEventListener(type, handler));
    },
    onInvalidated: (callback: () => void) => onInvalidated.push(callback),
  };
  return {
    ctx: ctx as unknown as ContentScriptContext,
    invalidate() {
      ctx.isInvalid = true;
      for (const remove of removers) remove();
      for (const callback of onInvalidated) callback();
    },
  };
}

const mf = (available: number) => ({ sourceId: 'mf', sourceName: 'MF', kind: 'merchant' as const, onHand: Math.max(available, 0), committed: Math.max(-available, 0), available });
const fba = (available: number) => ({ sourceId: 'fba', sourceName: 'FBA', kind: 'fba' as const, onHand: available, committed: 0, available });

/** A fake server behind the background: tracks the demo SKUs, knows LEGACY as untracked once imported is false. */
function fakeBackend(state = { imported: false, down: false, mfOf: {} as Record<string, number> }) {
  const answer = (row: PageRow): LookupRow => {
    const sku = row.channelSku ?? '';
    if (sku.startsWith('DEMO-')) {
      const available = state.mfOf[sku] ?? 10;
      return { key: row.key, match: 'tracked', sku, listingId: `l-${sku}`, sources: [mf(available), fba(20)], publishedQuantity: Math.max(available, 0), warnings: [] };
    }
    if (state.imported) return { key: row.key, match: 'tracked', sku, listingId: 'l-legacy', sources: [mf(3)], publishedQuantity: 3, warnings: [] };
    return { key: row.key, match: 'untracked', listingId: 'l-legacy', sources: [], warnings: [{ code: 'UNTRACKED', message: 'not managed' }] };
  };
  const lookup = vi.fn(async ({ rows }: { marketplace: string; region?: string; rows: PageRow[] }): Promise<LookupReply> =>
    state.down ? { ok: false, problem: 'unreachable', message: 'The onhand server cannot be reached.' } : { ok: true, data: { rows: rows.map(answer) } },
  );
  const act = vi.fn(async (request: Parameters<OverlayBackend['act']>[0]): Promise<ActionReply> => {
    if (request.type === 'listings.import') state.imported = true;
    return { ok: true };
  });
  const backend: OverlayBackend = { lookup, act, explain: vi.fn(async () => ({ ok: true as const, data: { available: -1, causes: [] } })) };
  return { backend, lookup, act, state };
}

function badgeStates(): Record<string, string | null> {
  const hosts = [...document.querySelectorAll('[data-onhand-row]')];
  return Object.fromEntries(hosts.map((h) => [h.getAttribute('data-onhand-row'), h.getAttribute('data-onhand-state')]));
}

function summaryText(): string | undefined {
  return document.querySelector('[data-onhand-summary]')?.shadowRoot?.textContent?.replace(/\s+/g, ' ');
}

/** happy-dom's own control of the page URL (what navigation would change). */
function setPageUrl(url: string): void {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
}

const allKeys = ['DEMO-BOTTLE-750', 'DEMO-CANDLE-LAV', 'DEMO-MUG-11OZ', 'DEMO-TEE-M-BLK', 'LEGACY-UNTRACKED-1'];

describe('listing overlay on the saved Manage All Inventory page', () => {
  let context: ReturnType<typeof fakeContext>;

  beforeEach(() => {
    setPageUrl(amazonFixtures.manageInventory.url);
    const saved = new DOMParser().parseFromString(readAmazonFixture('manageInventory'), 'text/html');
    document.body.replaceChildren(...[...saved.body.childNodes].map((n) => document.importNode(n, true)));
    context = fakeContext();
  });
  afterEach(() => context.invalidate());

  it('looks the page up once with every row and badges each listing row, plus a summary', async () => {
    const { backend, lookup } = fakeBackend({ imported: false, down: false, mfOf: { 'DEMO-TEE-M-BLK': -2 } });
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));

    expect(lookup).toHaveBeenCalledTimes(1);
    const request = lookup.mock.calls[0]?.[0];
    expect(request?.marketplace).toBe('amazon');
    expect(request?.region).toBe('US');
    expect(request?.rows.map((r) => r.key).sort()).toEqual(allKeys);
    expect(request?.rows[0]).toEqual({ key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMOMUG1', title: 'Stoneware Coffee Mug, 11 oz, Speckled White', displayedQuantity: 12 });
    expect(badgeStates()).toEqual({
      'DEMO-MUG-11OZ': 'tracked drift', // the page shows 12, onhand publishes 10
      'DEMO-TEE-M-BLK': 'tracked negative drift',
      'DEMO-CANDLE-LAV': 'tracked drift',
      'DEMO-BOTTLE-750': 'tracked drift',
      'LEGACY-UNTRACKED-1': 'untracked',
    });
    expect(document.querySelector('[data-testid="table-summary"] [data-onhand-row]')).toBeNull();
    const mug = document.querySelector('[data-onhand-row="DEMO-MUG-11OZ"]');
    expect(mug?.shadowRoot?.querySelector('[data-part="sources"]')?.textContent).toBe('MF 10 · FBA 20');
    expect(summaryText()).toContain('5 listings · 1 negative · 1 untracked · 4 drifting');
    // The summary sits before the table, not over it.
    expect(document.querySelector('[data-onhand-summary]')?.nextElementSibling?.getAttribute('role')).toBe('table');
  });

  it('re-badges a re-rendered row without asking again, and asks again when new rows appear', async () => {
    const { backend, lookup } = fakeBackend();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));

    const oldRow = document.querySelector('[data-sku="DEMO-MUG-11OZ"]');
    const fresh = oldRow?.cloneNode(true) as Element;
    fresh.querySelector('[data-onhand-row]')?.remove(); // the page renders its own markup, without our badge
    oldRow?.replaceWith(fresh);
    await vi.waitFor(() => expect(fresh.querySelectorAll('[data-onhand-row]')).toHaveLength(1));
    expect(document.querySelectorAll('[data-onhand-row]')).toHaveLength(5);
    expect(lookup).toHaveBeenCalledTimes(1);

    const added = fresh.cloneNode(true) as Element;
    added.setAttribute('data-sku', 'DEMO-NEW-1');
    added.querySelector('[data-onhand-row]')?.remove();
    fresh.after(added);
    await vi.waitFor(() => expect(lookup).toHaveBeenCalledTimes(2));
    expect(lookup.mock.calls[1]?.[0].rows).toHaveLength(6);
    await vi.waitFor(() => expect(badgeStates()['DEMO-NEW-1']).toContain('tracked'));
  });

  /** A copy of the mug's row as the portal would render it for another SKU (without our badge). */
  function newRow(sku: string): Element {
    const row = document.querySelector('[data-sku="DEMO-MUG-11OZ"]')?.cloneNode(true) as Element;
    row.setAttribute('data-sku', sku);
    row.querySelector('[data-onhand-row]')?.remove();
    return row;
  }

  it('answers a page render of new rows at the next frame, with one lookup for all of them', async () => {
    const { backend, lookup } = fakeBackend();
    // Quiet would take a minute: only the frame after the page's render can be what reads the rows.
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 60_000 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    const mug = document.querySelector('[data-sku="DEMO-MUG-11OZ"]');
    mug?.after(...Array.from({ length: 30 }, (_, i) => newRow(`DEMO-BATCH-${i}`)));
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(35));
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(lookup.mock.calls[1]?.[0].rows).toHaveLength(35);
  });

  it('a page that copies its rows copies our badge host too: the copy goes, one working badge per row', async () => {
    const { backend } = fakeBackend();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    const body = document.querySelector('[role="rowgroup"]');
    const copies = [...(body?.children ?? [])].map((row) => row.cloneNode(true) as Element);
    expect(copies.some((row) => row.querySelector('[data-onhand-row]'))).toBe(true);
    body?.replaceChildren(...copies);
    await vi.waitFor(() => {
      const hosts = [...document.querySelectorAll('[data-onhand-row]')];
      expect(hosts).toHaveLength(5);
      expect(hosts.every((host) => host.shadowRoot?.querySelector('.badge'))).toBe(true);
    });
  });

  it('still reads the rows in a tab that draws no frames (hidden), once the page is quiet', async () => {
    const { backend } = fakeBackend();
    const { ctx } = context;
    const noFrames = { ...ctx, requestAnimationFrame: () => 0, get isInvalid() { return ctx.isInvalid; } } as unknown as typeof ctx;
    startListingOverlay(noFrames, { adapter: amazonAdapter, backend, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    document.querySelector('[data-sku="DEMO-MUG-11OZ"]')?.after(newRow('DEMO-LATE-1'));
    await vi.waitFor(() => expect(badgeStates()['DEMO-LATE-1']).toContain('tracked'));
  });

  it('reads rows added while the page never goes quiet, at most `maxWaitMs` later', async () => {
    const { backend, lookup } = fakeBackend();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 50, maxWaitMs: 150 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    // A page that keeps touching its rows (a ticking clock, a spinner) is never quiet for 50 ms.
    const ticker = document.querySelector('[data-sku="DEMO-CANDLE-LAV"]');
    let tick = 0;
    const busy = window.setInterval(() => ticker?.setAttribute('data-id', String(++tick)), 5);
    try {
      await new Promise((r) => setTimeout(r, 30));
      document.querySelector('[data-sku="DEMO-MUG-11OZ"]')?.after(newRow('DEMO-BUSY-1'));
      await vi.waitFor(() => expect(badgeStates()['DEMO-BUSY-1']).toContain('tracked'), { timeout: 2_000 });
      expect(lookup).toHaveBeenCalledTimes(2);
    } finally {
      window.clearInterval(busy);
    }
  });

  it('never looks the same rows up twice at once: a live change during a lookup asks once more after it', async () => {
    const fake = fakeBackend();
    let inFlight = 0;
    let most = 0;
    const slow: OverlayBackend = {
      ...fake.backend,
      lookup: async (request) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 60));
        inFlight -= 1;
        return fake.backend.lookup(request);
      },
    };
    let changed = () => {};
    const link: LiveLink = { watch: () => {}, stop: () => {} };
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend: slow, debounceMs: 5, live: (onChanged) => ((changed = onChanged), link) });
    await vi.waitFor(() => expect(fake.lookup).toHaveBeenCalledTimes(0));
    // The first lookup is in flight: two live changes arrive.
    changed();
    changed();
    await vi.waitFor(() => expect(fake.lookup).toHaveBeenCalledTimes(2));
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.lookup).toHaveBeenCalledTimes(2);
    expect(most).toBe(1);
    expect(Object.keys(badgeStates())).toHaveLength(5);
  });

  it('imports an untracked listing with one click; the badge turns tracked without a reload', async () => {
    const { backend, act } = fakeBackend();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 5, newKey: () => 'key-1' });
    await vi.waitFor(() => expect(badgeStates()['LEGACY-UNTRACKED-1']).toBe('untracked'));
    const host = document.querySelector('[data-onhand-row="LEGACY-UNTRACKED-1"]');
    (host?.shadowRoot?.querySelector('[data-action="import"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(badgeStates()['LEGACY-UNTRACKED-1']).toBe('tracked'));
    expect(act).toHaveBeenCalledExactlyOnceWith({ type: 'listings.import', listingId: 'l-legacy', idempotencyKey: 'key-1' });
    expect(host?.shadowRoot?.querySelector('[data-action="import"]')).toBeNull();
  });

  it('keeps the last numbers marked stale with a message when the server cannot be asked, and recovers', async () => {
    const fake = fakeBackend();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend: fake.backend, debounceMs: 5, retryAfterMs: 20 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    fake.state.down = true;
    document.querySelector('kat-input[name="quantity"]')?.setAttribute('value', '13'); // the page changes: look up again
    await vi.waitFor(() => expect(Object.values(badgeStates()).every((s) => s?.includes('stale'))).toBe(true));
    const mug = document.querySelector('[data-onhand-row="DEMO-MUG-11OZ"]');
    expect(mug?.shadowRoot?.querySelector('[data-part="sources"]')?.textContent).toBe('MF 10 · FBA 20');
    expect(summaryText()).toContain('The onhand server cannot be reached.');
    // It retries on a timer, not on every DOM change, and recovers by itself.
    fake.state.down = false;
    await vi.waitFor(() => expect(Object.values(badgeStates()).some((s) => s?.includes('stale'))).toBe(false));
    expect(summaryText()).not.toContain('cannot be reached');
  });

  it('looks up again when a live change arrives', async () => {
    const fake = fakeBackend();
    let changed: () => void = () => {};
    const link: LiveLink = { watch: vi.fn(), stop: vi.fn() };
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend: fake.backend, debounceMs: 5, live: (onChanged) => ((changed = onChanged), link) });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    expect(link.watch).toHaveBeenCalledWith(expect.arrayContaining(['DEMO-MUG-11OZ']), expect.arrayContaining(['l-DEMO-MUG-11OZ', 'l-legacy']));
    fake.state.mfOf['DEMO-MUG-11OZ'] = 4;
    changed();
    await vi.waitFor(() => expect(document.querySelector('[data-onhand-row="DEMO-MUG-11OZ"]')?.shadowRoot?.querySelector('[data-source="MF"]')?.textContent).toBe('MF 4'));
    context.invalidate();
    expect(link.stop).toHaveBeenCalled();
  });

  it('scrolls to the next negative row when its count in the summary is clicked', async () => {
    const { backend } = fakeBackend({ imported: false, down: false, mfOf: { 'DEMO-TEE-M-BLK': -2 } });
    const scrolled: string[] = [];
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this.getAttribute('data-onhand-row') ?? '');
    };
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 5 });
    await vi.waitFor(() => expect(summaryText()).toContain('1 negative'));
    (document.querySelector('[data-onhand-summary]')?.shadowRoot?.querySelector('button[data-count="negative"]') as HTMLButtonElement).click();
    expect(scrolled).toEqual(['DEMO-TEE-M-BLK']);
  });

  it('removes the badges and the summary after in-app navigation away from the listings', async () => {
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend: fakeBackend().backend, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    setPageUrl('https://sellercentral.amazon.com/orders-v3');
    window.dispatchEvent(new Event('wxt:locationchange'));
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(0));
    expect(document.querySelector('[data-onhand-summary]')).toBeNull();
  });

  it('removes everything and stops observing when the content script is torn down', async () => {
    const { backend, lookup } = fakeBackend();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, backend, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    context.invalidate();
    expect(Object.keys(badgeStates())).toHaveLength(0);
    expect(document.querySelector('[data-onhand-summary]')).toBeNull();

    document.querySelector('[data-sku="DEMO-MUG-11OZ"]')?.setAttribute('data-sku', 'DEMO-OTHER');
    await new Promise((r) => setTimeout(r, 30));
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(Object.keys(badgeStates())).toHaveLength(0);
  });
});
