import { openShadowRoots, withUniqueKeys, type PortalAdapter, type RowReading } from '../portal-row';
import { amazonPageKind, amazonRegionOf } from './amazon-urls';
import { readClassicRows } from './read-classic-rows';
import { readFbaInventoryRows } from './read-fba-inventory-rows';
import { readManageInventoryRows } from './read-manage-inventory-rows';

/**
 * Amazon Seller Central. Both inventory table generations are read on every
 * listing page: Amazon rolls the new table out per account and per page, so
 * the URL alone does not say which markup arrives. The FBA inventory reader
 * (which looks through shadow roots) runs only when neither table is there.
 */
export const amazonAdapter: PortalAdapter = {
  marketplace: 'amazon',
  regionOf: amazonRegionOf,
  isListingPage: (url) => amazonPageKind(url) !== null,
  readRows(root) {
    const readings: RowReading[] = [...readManageInventoryRows(root), ...readClassicRows(root)];
    if (readings.length === 0) readings.push(...readFbaInventoryRows(root as ParentNode & Node));
    // The seller SKU names an Amazon row; the same ASIN can carry several SKUs.
    return withUniqueKeys(readings, (r) => r.channelSku);
  },
  watchedRoots: (doc) => (isFbaPage(doc) ? openShadowRoots(doc) : []),
  summaryAnchor: (doc) =>
    doc.querySelector('[class*="JanusTable-module__table--"], kat-table, #myitable, [role="table"]'),
};

function isFbaPage(doc: Document): boolean {
  const href = doc.defaultView?.location.href;
  return href ? amazonPageKind(new URL(href)) === 'fba-inventory' : false;
}
