/**
 * Shopify admin, in both URL forms: `admin.shopify.com/store/<handle>/…`
 * and the legacy `<shop>.myshopify.com/admin/…` (still redirected to, and
 * still used by older bookmarks).
 */
export const shopifyMatchPatterns = ['https://admin.shopify.com/store/*', 'https://*.myshopify.com/admin/*'];

/** The product list and the inventory list; not a single product's page. */
const listingPath = /^\/products(\/inventory)?\/?$/;

export function isShopifyListingPage(url: URL): boolean {
  if (url.protocol !== 'https:') return false;
  if (url.hostname === 'admin.shopify.com') {
    const match = /^\/store\/[a-z0-9][a-z0-9-]*(\/.*)$/i.exec(url.pathname);
    return match?.[1] !== undefined && listingPath.test(match[1]);
  }
  if (/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(url.hostname) && url.pathname.startsWith('/admin/')) {
    return listingPath.test(url.pathname.slice('/admin'.length));
  }
  return false;
}

/** A Shopify store sells wherever it ships; the admin URL names no country. */
export function shopifyRegionOf(): string | undefined {
  return undefined;
}
