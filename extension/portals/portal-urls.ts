import { sellerCentralMatchPatterns } from './amazon/amazon-urls';
import { ebayMatchPatterns } from './ebay/ebay-urls';
import { etsyMatchPatterns } from './etsy/etsy-urls';
import { shopifyMatchPatterns } from './shopify/shopify-urls';
import { walmartMatchPatterns } from './walmart/walmart-urls';

/** Every page a content script runs on (the manifest's `matches`, all portals). */
export const portalMatchPatterns: readonly string[] = [
  ...sellerCentralMatchPatterns,
  ...ebayMatchPatterns,
  ...walmartMatchPatterns,
  ...shopifyMatchPatterns,
  ...etsyMatchPatterns,
];

/**
 * Whether a URL is one a content script runs on. The background accepts
 * overlay messages only from tabs on a portal; it checks the host and path
 * prefix the way the browser matches content scripts (`https://*.x.com/a/*`).
 */
export function isPortalUrl(raw: string | undefined): boolean {
  if (!raw) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  return portalMatchPatterns.some((pattern) => matchesPattern(url, pattern));
}

function matchesPattern(url: URL, pattern: string): boolean {
  const match = /^https:\/\/([^/]+)(\/.*)$/.exec(pattern);
  if (!match) return false;
  const [, host = '', path = ''] = match;
  const hostOk = host.startsWith('*.') ? url.hostname.endsWith(host.slice(1)) && url.hostname.length > host.length - 1 : url.hostname === host;
  const pathOk = path.endsWith('*') ? url.pathname.startsWith(path.slice(0, -1)) : url.pathname === path;
  return hostOk && pathOk;
}
