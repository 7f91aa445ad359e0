/**
 * Where Amazon Seller Central lives. Each marketplace country has its own
 * host; the two regional hosts (Europe, Japan) predate the per-country ones
 * and are still in use.
 */
export const sellerCentralHosts = [
  'sellercentral.amazon.com',
  'sellercentral.amazon.ca',
  'sellercentral.amazon.com.mx',
  'sellercentral.amazon.com.br',
  'sellercentral.amazon.co.uk',
  'sellercentral.amazon.de',
  'sellercentral.amazon.fr',
  'sellercentral.amazon.it',
  'sellercentral.amazon.es',
  'sellercentral.amazon.nl',
  'sellercentral.amazon.se',
  'sellercentral.amazon.pl',
  'sellercentral.amazon.com.be',
  'sellercentral.amazon.com.tr',
  'sellercentral.amazon.eg',
  'sellercentral.amazon.ae',
  'sellercentral.amazon.sa',
  'sellercentral.amazon.in',
  'sellercentral.amazon.co.jp',
  'sellercentral.amazon.sg',
  'sellercentral.amazon.com.au',
  'sellercentral.amazon.co.za',
  // Ireland, the newest European marketplace (2025).
  'sellercentral.amazon.ie',
  'sellercentral-europe.amazon.com',
  'sellercentral-japan.amazon.com',
] as const;

/**
 * The content script runs on every Seller Central page, not only inventory
 * pages: the portal is a single-page app, so a seller can arrive at the
 * inventory list by in-app navigation from any other page.
 */
export const sellerCentralMatchPatterns = sellerCentralHosts.map((host) => `https://${host}/*`);

export type AmazonPageKind = 'manage-inventory' | 'classic-inventory' | 'fba-inventory';

/** Which listing page a URL is, or null for pages without listing rows. */
export function amazonPageKind(url: URL): AmazonPageKind | null {
  if (url.protocol !== 'https:' || !(sellerCentralHosts as readonly string[]).includes(url.hostname)) return null;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/myinventory/inventory') return 'manage-inventory';
  if (path === '/inventory' || path.startsWith('/hz/inventory')) return 'classic-inventory';
  if (path === '/inventoryplanning/manageinventoryhealth' || path === '/manage/fba-inventory') return 'fba-inventory';
  return null;
}

/** Country of each Seller Central host; the regional hosts do not name one. */
const regionByHostSuffix: [string, string][] = [
  ['.com.mx', 'MX'], ['.com.br', 'BR'], ['.co.uk', 'GB'], ['.com.be', 'BE'], ['.com.tr', 'TR'],
  ['.co.jp', 'JP'], ['.com.au', 'AU'], ['.co.za', 'ZA'], ['.ca', 'CA'], ['.de', 'DE'], ['.fr', 'FR'],
  ['.it', 'IT'], ['.es', 'ES'], ['.nl', 'NL'], ['.se', 'SE'], ['.pl', 'PL'], ['.eg', 'EG'], ['.ae', 'AE'],
  ['.sa', 'SA'], ['.in', 'IN'], ['.sg', 'SG'], ['.ie', 'IE'],
];

/** The marketplace country of a Seller Central URL: amazon.de → DE, amazon.com → US. */
export function amazonRegionOf(url: URL): string | undefined {
  const host = url.hostname;
  if (host === 'sellercentral.amazon.com') return 'US';
  if (!host.startsWith('sellercentral.amazon.')) return undefined; // sellercentral-europe/japan: several countries
  return regionByHostSuffix.find(([suffix]) => host.endsWith(suffix))?.[1];
}
