import { columnsByHeader, headerRowOf, rowCells } from '../header-columns';
import { cleanText, identifier, parseQuantity, withUniqueKeys, type PortalAdapter, type RowReading } from '../portal-row';
import { isWalmartListingPage, walmartRegionOf } from './walmart-urls';

/**
 * Column headers of Walmart's items table, as the seller sees them. No
 * public row selectors exist (the data comes from XHR into a React table),
 * so columns are found by this text, in whatever order the seller set them.
 */
export const walmartColumns = {
  sku: ['sku'],
  itemId: ['item id'],
  quantity: ['inventory', 'available', 'available to sell'],
  title: ['item name', 'product name'],
} as const;

const tables = 'table, [role="table"], [role="grid"]';

/**
 * Walmart Seller Center items. channelSku is the seller SKU, externalId the
 * Walmart item id. Rows are the data rows of any table whose header has a
 * "SKU" or "Item ID" column.
 */
export const walmartAdapter: PortalAdapter = {
  marketplace: 'walmart',
  regionOf: walmartRegionOf,
  isListingPage: isWalmartListingPage,
  readRows(root) {
    const readings: RowReading[] = [];
    for (const table of itemTables(root)) readings.push(...readTable(table.table, table.header));
    return withUniqueKeys(readings, (r) => r.channelSku);
  },
  summaryAnchor: (doc) => itemTables(doc)[0]?.table ?? null,
};

function itemTables(root: ParentNode): { table: Element; header: Element }[] {
  const found: { table: Element; header: Element }[] = [];
  for (const table of root.querySelectorAll(tables)) {
    // A grid nested in a table (or the other way round) is read through the outer one only.
    if (table.parentElement?.closest(tables)) continue;
    const header = headerRowOf(table);
    if (!header) continue;
    const columns = columnsByHeader(header, walmartColumns);
    if (columns.sku !== undefined || columns.itemId !== undefined) found.push({ table, header });
  }
  return found;
}

function readTable(table: Element, header: Element): RowReading[] {
  const columns = columnsByHeader(header, walmartColumns);
  const readings: RowReading[] = [];
  for (const row of table.querySelectorAll('tr, [role="row"]')) {
    if (row === header || row.parentElement?.closest(tables) !== table) continue;
    const cells = rowCells(row);
    // Data rows have data cells; header, group and "no results" rows do not fill the columns.
    if (!cells.some((cell) => cell.matches('td, [role="cell"], [role="gridcell"]'))) continue;
    const cell = (index: number | undefined) => (index === undefined ? undefined : cells[index]);
    const sku = identifier(cleanText(cell(columns.sku)));
    const itemId = identifier(cleanText(cell(columns.itemId)));
    const validItemId = itemId && /^\d{4,20}$/.test(itemId) ? itemId : undefined;
    if (!sku && !validItemId) continue;
    const reading: RowReading = { anchor: cell(columns.sku) ?? cell(columns.itemId) ?? row };
    if (sku) reading.channelSku = sku;
    if (validItemId) reading.externalId = validItemId;
    const title = identifier(cleanText(cell(columns.title)));
    if (title) reading.title = title;
    const quantityCell = cell(columns.quantity);
    const input = quantityCell?.querySelector('input');
    const quantity = input ? parseQuantity(input.getAttribute('value') ?? input.value) : parseQuantity(cleanText(quantityCell));
    if (quantity !== undefined) reading.displayedQuantity = quantity;
    readings.push(reading);
  }
  return readings;
}
