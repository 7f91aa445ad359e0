/** Etsy's shop manager; the listings manager filters by path (`/page:2`, `/state:draft`). */
export const etsyMatchPatterns = ['https://www.etsy.com/your/*'];

export function isEtsyListingPage(url: URL): boolean {
  return url.protocol === 'https:' && url.hostname === 'www.etsy.com' && /^\/your\/shops\/me\/tools\/listings(\/|$)/.test(url.pathname);
}

/** Etsy is one marketplace for every country. */
export function etsyRegionOf(): string | undefined {
  return undefined;
}
