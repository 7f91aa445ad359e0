import { browser } from 'wxt/browser';
import type { Marketplace } from '@onhand/shared';

/** The portals the overlay can run on, in the order the options page lists them. */
export const overlayPortals: readonly { marketplace: Marketplace; label: string }[] = [
  { marketplace: 'amazon', label: 'Amazon Seller Central' },
  { marketplace: 'ebay', label: 'eBay Seller Hub' },
  { marketplace: 'walmart', label: 'Walmart Seller Center' },
  { marketplace: 'shopify', label: 'Shopify admin' },
  { marketplace: 'etsy', label: 'Etsy listings' },
];

const key = 'onhand.overlayDisabled';

/**
 * The portals the seller turned the overlay off for (options page). Stored as
 * the disabled ones, so a portal added later is on by default.
 */
export async function loadDisabledPortals(): Promise<Set<Marketplace>> {
  const stored = (await browser.storage.local.get(key))[key];
  const known = new Set(overlayPortals.map((p) => p.marketplace));
  return new Set(Array.isArray(stored) ? stored.filter((m): m is Marketplace => known.has(m as Marketplace)) : []);
}

export async function saveDisabledPortals(disabled: Iterable<Marketplace>): Promise<void> {
  await browser.storage.local.set({ [key]: [...new Set(disabled)] });
}

/** Storage keys whose change moves the live subscription (another server or token). */
export const connectionStorageKeys: readonly string[] = ['onhand.serverUrl', 'onhand.token'];
