import { columnsByHeader, headerRowOf, rowCells } from '../header-columns';
import { cleanText, identifier, parseQuantity, spacedText, withUniqueKeys, type PortalAdapter, type RowReading } from '../portal-row';
import { isShopifyListingPage, shopifyRegionOf } from './shopify-urls';

/**
 * Shopify admin knowledge (portals.md). Polaris class names end in a build
 * hash (`Polaris-IndexTable__TableRow_1a85o`): only the prefix is matched.
 */
export const shopifySelectors = {
  tableRow: 'tr[class*="Polaris-IndexTable__TableRow"]',
  primaryLink: '[data-primary-link]',
  table: 'table',
} as const;

export const shopifyColumns = {
  sku: ['sku'],
  /** Products list: "12 in stock"; inventory list: a number input. */
  quantity: ['inventory', 'available'],
  title: ['product'],
} as const;

/** "12 in stock" is one quantity; "40 in stock for 3 variants" is a sum over variations, not one listing's. */
const singleStock = /^(-?\d[\d,.\u00a0\u202f]*) in stock$/i;
const stockInText = /(?:^|\s)(-?\d[\d,.\u00a0\u202f]*) in stock(?! for)/i;
const productIdInHref = /\/products\/(\d{5,20})(?:[/?#]|$)/;
const idAtEnd = /(\d{5,20})$/;

/**
 * Shopify admin products and inventory lists, in both URL forms. externalId
 * is the product id (products list) or the variant id (inventory list, one
 * row per variant) from the row's id; channelSku is the SKU where shown.
 * Narrow windows render `<li>` items instead of table rows.
 */
export const shopifyAdapter: PortalAdapter = {
  marketplace: 'shopify',
  regionOf: shopifyRegionOf,
  isListingPage: isShopifyListingPage,
  readRows(root) {
    const readings: RowReading[] = [];
    for (const row of root.querySelectorAll(shopifySelectors.tableRow)) {
      const reading = readTableRow(row);
      if (reading) readings.push(reading);
    }
    for (const link of root.querySelectorAll(shopifySelectors.primaryLink)) {
      const item = link.closest('li');
      if (!item || link.closest('tr')) continue;
      const reading = readListItem(item, link);
      if (reading) readings.push(reading);
    }
    return withUniqueKeys(readings, (r) => r.externalId);
  },
  summaryAnchor: (doc) => doc.querySelector(shopifySelectors.tableRow)?.closest(shopifySelectors.table) ?? doc.querySelector(shopifySelectors.primaryLink)?.closest('ul') ?? null,
};

function readTableRow(row: Element): RowReading | null {
  const table = row.closest(shopifySelectors.table);
  const header = table ? headerRowOf(table) : null;
  const columns = header ? columnsByHeader(header, shopifyColumns) : {};
  const cells = rowCells(row);
  const cell = (index: number | undefined) => (index === undefined ? undefined : cells[index]);
  const link = row.querySelector(shopifySelectors.primaryLink);
  const id = idAtEnd.exec(row.id)?.[1] ?? productIdInHref.exec(link?.getAttribute('href') ?? '')?.[1];
  const sku = identifier(cleanText(cell(columns.sku)));
  if (!id && !sku) return null;

  const reading: RowReading = { anchor: link?.closest('td') ?? cell(columns.sku) ?? row };
  if (sku) reading.channelSku = sku;
  if (id) reading.externalId = id;
  const title = identifier(cleanText(link ?? cell(columns.title)));
  if (title) reading.title = title;
  const quantityCell = cell(columns.quantity);
  const input = quantityCell?.querySelector('input');
  const quantity = input
    ? parseQuantity(input.getAttribute('value') ?? input.value)
    : parseQuantity(singleStock.exec(cleanText(quantityCell))?.[1]);
  if (quantity !== undefined) reading.displayedQuantity = quantity;
  return reading;
}

function readListItem(item: Element, link: Element): RowReading | null {
  const id = productIdInHref.exec(link.getAttribute('href') ?? '')?.[1] ?? idAtEnd.exec(item.id)?.[1];
  const text = spacedText(item);
  const sku = identifier(/\bSKU:\s*(\S+)/.exec(text)?.[1]);
  if (!id && !sku) return null;
  const reading: RowReading = { anchor: link.parentElement ?? item };
  if (sku) reading.channelSku = sku;
  if (id) reading.externalId = id;
  const title = identifier(cleanText(link));
  if (title) reading.title = title;
  const quantity = parseQuantity(stockInText.exec(text)?.[1]);
  if (quantity !== undefined) reading.displayedQuantity = quantity;
  return reading;
}
