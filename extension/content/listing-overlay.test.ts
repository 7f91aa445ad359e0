// @vitest-environment happy-dom
import type { BySkusReply, InventoryItem } from '@onhand/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { amazonAdapter } from '../portals/amazon/amazon-adapter';
import { amazonFixtures, readAmazonFixture } from '../portals/amazon/fixture-pages';
import { startListingOverlay } from './listing-overlay';

/** The parts of WXT's content-script context the overlay uses, with a switch to tear it down. */
function fakeContext() {
  const onInvalidated: (() => void)[] = [];
  const removers: (() => void)[] = [];
  const ctx = {
    isInvalid: false,
    setTimeout: (handler: () => void, ms: number) => window.setTimeout(handler, ms),
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

function item(sku: string, mf: number, fba: number): InventoryItem {
  const source = (sourceName: string, available: number) => ({
    sourceId: sourceName,
    sourceName,
    kind: sourceName === 'MF' ? ('merchant' as const) : ('fba' as const),
    onHand: Math.max(available, 0),
    committed: Math.max(-available, 0),
    available,
  });
  return { sku, title: sku, isBundle: false, sources: [source('MF', mf), source('FBA', fba)], totalAvailable: mf + fba };
}

/** A fake server behind the background: knows the demo SKUs, not the legacy one. */
function fakeFetch(overrides: Record<string, InventoryItem> = {}) {
  return vi.fn(async (skus: string[]): Promise<BySkusReply> => {
    const known = skus.filter((sku) => sku.startsWith('DEMO-'));
    return {
      ok: true,
      data: {
        items: known.map((sku) => overrides[sku] ?? item(sku, 10, 20)),
        unknownSkus: skus.filter((sku) => !sku.startsWith('DEMO-')),
      },
    };
  });
}

function badgeStates(): Record<string, string | null> {
  const hosts = [...document.querySelectorAll('[data-onhand-row]')];
  return Object.fromEntries(hosts.map((h) => [h.getAttribute('data-onhand-row'), h.getAttribute('data-onhand-state')]));
}

/** happy-dom's own control of the page URL (what navigation would change). */
function setPageUrl(url: string): void {
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
}

const allSkus = ['DEMO-BOTTLE-750', 'DEMO-CANDLE-LAV', 'DEMO-MUG-11OZ', 'DEMO-TEE-M-BLK', 'LEGACY-UNTRACKED-1'];

describe('listing overlay on the saved Manage All Inventory page', () => {
  let context: ReturnType<typeof fakeContext>;

  beforeEach(() => {
    setPageUrl(amazonFixtures.manageInventory.url);
    const saved = new DOMParser().parseFromString(readAmazonFixture('manageInventory'), 'text/html');
    document.body.replaceChildren(...[...saved.body.childNodes].map((n) => document.importNode(n, true)));
    context = fakeContext();
  });
  afterEach(() => context.invalidate());

  it('asks once for every SKU of the page and badges each listing row', async () => {
    const fetchInventory = fakeFetch({ 'DEMO-TEE-M-BLK': item('DEMO-TEE-M-BLK', -2, 5) });
    startListingOverlay(context.ctx, { adapter: amazonAdapter, fetchInventory, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));

    expect(fetchInventory).toHaveBeenCalledTimes(1);
    expect([...(fetchInventory.mock.calls[0]?.[0] ?? [])].sort()).toEqual(allSkus);
    expect(badgeStates()).toEqual({
      'DEMO-MUG-11OZ': 'tracked',
      'DEMO-TEE-M-BLK': 'tracked negative',
      'DEMO-CANDLE-LAV': 'tracked',
      'DEMO-BOTTLE-750': 'tracked',
      'LEGACY-UNTRACKED-1': 'unknown',
    });
    expect(document.querySelector('[data-testid="table-summary"] [data-onhand-row]')).toBeNull();
    const mug = document.querySelector('[data-onhand-row="DEMO-MUG-11OZ"]');
    expect(mug?.shadowRoot?.querySelector('[data-part="sources"]')?.textContent).toBe('MF 10 · FBA 20');
  });

  it('re-badges a re-rendered row without asking again, and asks again when new SKUs appear', async () => {
    const fetchInventory = fakeFetch();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, fetchInventory, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));

    const oldRow = document.querySelector('[data-sku="DEMO-MUG-11OZ"]');
    const fresh = oldRow?.cloneNode(true) as Element;
    fresh.querySelector('[data-onhand-row]')?.remove(); // the page renders its own markup, without our badge
    oldRow?.replaceWith(fresh);
    await vi.waitFor(() => expect(fresh.querySelectorAll('[data-onhand-row]')).toHaveLength(1));
    expect(document.querySelectorAll('[data-onhand-row]')).toHaveLength(5);
    expect(fetchInventory).toHaveBeenCalledTimes(1);

    const added = fresh.cloneNode(true) as Element;
    added.setAttribute('data-sku', 'DEMO-NEW-1');
    added.querySelector('[data-onhand-row]')?.remove();
    fresh.after(added);
    await vi.waitFor(() => expect(fetchInventory).toHaveBeenCalledTimes(2));
    expect(fetchInventory.mock.calls[1]?.[0]).toHaveLength(6);
    await vi.waitFor(() => expect(badgeStates()['DEMO-NEW-1']).toBe('tracked'));
  });

  it('marks badges stale when the server cannot be asked', async () => {
    const fetchInventory = vi.fn(async (): Promise<BySkusReply> => ({ ok: false, problem: 'unreachable', message: 'The onhand server cannot be reached.' }));
    startListingOverlay(context.ctx, { adapter: amazonAdapter, fetchInventory, debounceMs: 5, retryAfterMs: 20 });
    await vi.waitFor(() => expect(Object.values(badgeStates())).toEqual(Array(5).fill('stale')));
    // It retries on a timer, not on every DOM change.
    await vi.waitFor(() => expect(fetchInventory.mock.calls.length).toBeGreaterThanOrEqual(2));
  });

  it('removes the badges after in-app navigation away from the listings', async () => {
    startListingOverlay(context.ctx, { adapter: amazonAdapter, fetchInventory: fakeFetch(), debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    setPageUrl('https://sellercentral.amazon.com/orders-v3');
    window.dispatchEvent(new Event('wxt:locationchange'));
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(0));
  });

  it('removes every badge and stops observing when the content script is torn down', async () => {
    const fetchInventory = fakeFetch();
    startListingOverlay(context.ctx, { adapter: amazonAdapter, fetchInventory, debounceMs: 5 });
    await vi.waitFor(() => expect(Object.keys(badgeStates())).toHaveLength(5));
    context.invalidate();
    expect(Object.keys(badgeStates())).toHaveLength(0);

    document.querySelector('[data-sku="DEMO-MUG-11OZ"]')?.setAttribute('data-sku', 'DEMO-OTHER');
    await new Promise((r) => setTimeout(r, 30));
    expect(fetchInventory).toHaveBeenCalledTimes(1);
    expect(Object.keys(badgeStates())).toHaveLength(0);
  });
});
