/** Walmart Seller Center (the US marketplace). */
export const walmartMatchPatterns = ['https://seller.walmart.com/*'];

export function isWalmartListingPage(url: URL): boolean {
  return url.protocol === 'https:' && url.hostname === 'seller.walmart.com' && /^\/items-and-inventory\/manage-items(\/|$)/.test(url.pathname);
}

export function walmartRegionOf(url: URL): string | undefined {
  return url.hostname === 'seller.walmart.com' ? 'US' : undefined;
}
