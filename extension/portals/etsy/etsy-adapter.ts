import { cleanText, firstNumber, identifier, spacedText, withUniqueKeys, type PortalAdapter, type RowReading } from '../portal-row';
import { etsyRegionOf, isEtsyListingPage } from './etsy-urls';

/** Etsy listings manager knowledge (portals.md); Etsy's design-system classes carry no hash. */
export const etsySelectors = {
  card: '.wt-block-grid__item',
  /** The card's link to its editor (`/your/shops/me/listing-editor/edit/<id>`; any shop segment). */
  editLink: 'a[href*="/your/shops/"][href*="/listing-editor/edit/"]',
  title: 'h2.card-title',
  sku: '.card-meta-row-sku span',
  grid: '.wt-block-grid',
} as const;

const listingIdInHref = /\/listing-editor\/edit\/(\d{5,20})(?:[/?#]|$)/;
/** "12 in stock" (an inference: portals.md); anything else (e.g. "Varies") is no single quantity. */
const stock = /(?:^|\s)(\d[\d,.\u00a0\u202f]*) in stock\b/i;

/**
 * Etsy listings manager. Each listing is a card; externalId is the listing
 * id (from the edit link), channelSku the SKU when the seller set one.
 * Cards without an edit link ("Add a listing") are not listings.
 */
export const etsyAdapter: PortalAdapter = {
  marketplace: 'etsy',
  regionOf: etsyRegionOf,
  isListingPage: isEtsyListingPage,
  readRows(root) {
    const readings: RowReading[] = [];
    for (const card of root.querySelectorAll(etsySelectors.card)) {
      // A grid item can hold a nested grid (e.g. a bundle of thumbnails): read the innermost card only.
      if (card.querySelector(etsySelectors.card)) continue;
      const reading = readCard(card);
      if (reading) readings.push(reading);
    }
    return withUniqueKeys(readings, (r) => r.externalId);
  },
  summaryAnchor: (doc) => doc.querySelector(etsySelectors.card)?.closest(etsySelectors.grid) ?? null,
};

function readCard(card: Element): RowReading | null {
  const link = card.querySelector(etsySelectors.editLink);
  const listingId = listingIdInHref.exec(link?.getAttribute('href') ?? '')?.[1];
  const sku = identifier(cleanText(card.querySelector(etsySelectors.sku)));
  if (!listingId && !sku) return null;
  const titleElement = card.querySelector(etsySelectors.title);
  const reading: RowReading = { anchor: titleElement?.parentElement?.closest('div, li, section') ?? card };
  if (listingId) reading.externalId = listingId;
  if (sku) reading.channelSku = sku;
  const title = identifier(cleanText(titleElement ?? link));
  if (title) reading.title = title;
  const quantity = firstNumber(stock.exec(spacedText(card))?.[1]);
  if (quantity !== undefined) reading.displayedQuantity = quantity;
  return reading;
}
