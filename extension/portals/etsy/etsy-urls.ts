/** Etsy's shop manager; the listings manager filters by path (`/page:2`, `/state:draft`). */
export const etsyMatchPatterns = ['https://www.etsy.com/your/*'];

/**
 * The shop segment is `me` in Etsy's own links; a shop's name there (old
 * bookmarks, links from elsewhere) shows the same manager.
 */
export function isEtsyListingPage(url: URL): boolean {
  return url.protocol === 'https:' && url.hostname === 'www.etsy.com' && /^\/your\/shops\/[^/]+\/tools\/listings(\/|$)/.test(url.pathname);
}

/** Etsy is one marketplace for every country. */
export function etsyRegionOf(): string | undefined {
  return undefined;
}
