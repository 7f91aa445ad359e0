/**
 * eBay Seller Hub on every eBay country site. Belgium's site lives on two
 * language hosts besides the plain one, Canada's French site on its own.
 */
export const ebayHostsByRegion = {
  'www.ebay.com': 'US',
  'www.ebay.co.uk': 'GB',
  'www.ebay.de': 'DE',
  'www.ebay.fr': 'FR',
  'www.ebay.it': 'IT',
  'www.ebay.es': 'ES',
  'www.ebay.com.au': 'AU',
  'www.ebay.ca': 'CA',
  'www.cafr.ebay.ca': 'CA',
  'www.ebay.at': 'AT',
  'www.ebay.ch': 'CH',
  'www.ebay.ie': 'IE',
  'www.ebay.nl': 'NL',
  'www.ebay.be': 'BE',
  'www.befr.ebay.be': 'BE',
  'www.benl.ebay.be': 'BE',
  'www.ebay.pl': 'PL',
  'www.ebay.com.sg': 'SG',
  'www.ebay.com.hk': 'HK',
  'www.ebay.com.my': 'MY',
  'www.ebay.ph': 'PH',
} as const satisfies Record<string, string>;

const hosts = Object.keys(ebayHostsByRegion);

/** Seller Hub is a single-page app under /sh/: run on all of it, overlay only the active listings. */
export const ebayMatchPatterns = hosts.map((host) => `https://${host}/sh/*`);

export function isEbayListingPage(url: URL): boolean {
  return url.protocol === 'https:' && hosts.includes(url.hostname) && /^\/sh\/lst\/active(\/|$)/.test(url.pathname);
}

export function ebayRegionOf(url: URL): string | undefined {
  return (ebayHostsByRegion as Record<string, string>)[url.hostname];
}
