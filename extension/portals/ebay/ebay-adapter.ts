import { cleanText, identifier, withUniqueKeys, type PortalAdapter, type RowReading } from '../portal-row';
import { emptyCell, ebaySelectors as sel, itemIdInHref, itemIdPattern } from './ebay-selectors';
import { ebayRegionOf, isEbayListingPage } from './ebay-urls';

/**
 * eBay Seller Hub, active listings. A row is a grid row with the item id in
 * `data-id` (one `<tbody>` per listing in some layouts, with spacer and
 * detail rows that carry no id). channelSku is the custom label, externalId
 * the item id. A listing with variations has no single quantity.
 */
export const ebayAdapter: PortalAdapter = {
  marketplace: 'ebay',
  regionOf: ebayRegionOf,
  isListingPage: isEbayListingPage,
  readRows(root) {
    const readings: RowReading[] = [];
    for (const row of root.querySelectorAll(sel.row)) {
      const reading = readRow(row);
      if (reading) readings.push(reading);
    }
    // The item id names an eBay row; a custom label can repeat across listings.
    return withUniqueKeys(readings, (r) => r.externalId);
  },
  summaryAnchor: (doc) => doc.querySelector(sel.grid) ?? doc.querySelector(sel.row)?.closest('table') ?? null,
};

function readRow(row: Element): RowReading | null {
  const titleCell = row.querySelector(sel.title);
  const link = titleCell?.querySelector(sel.titleLink) ?? row.querySelector(sel.titleLink);
  const itemId = [row.getAttribute('data-id'), cleanText(row.querySelector(sel.itemId)), itemIdInHref.exec(link?.getAttribute('href') ?? '')?.[1]]
    .map((value) => (value ?? '').trim())
    .find((value) => itemIdPattern.test(value));
  const labelText = cleanText(row.querySelector(sel.customLabel));
  const customLabel = emptyCell.test(labelText) ? undefined : identifier(labelText);
  if (!itemId && !customLabel) return null;

  const reading: RowReading = { anchor: titleCell ?? row.querySelector('td') ?? row };
  if (customLabel) reading.channelSku = customLabel;
  if (itemId) reading.externalId = itemId;
  const title = identifier(cleanText(link));
  if (title) reading.title = title;
  // Only a plain number is the listing's quantity; variations show a note or a range instead.
  const quantityText = cleanText(row.querySelector(sel.quantity));
  if (/^\d[\d,.\u00a0\u202f ]*$/.test(quantityText)) reading.displayedQuantity = Number.parseInt(quantityText.replace(/\D/g, ''), 10);
  return reading;
}
