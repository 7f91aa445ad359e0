import { cleanText, deepQueryAll, identifier, parseQuantity, spacedText } from '../portal-row';
import { fbaInventory as sel } from './amazon-selectors';
import type { AmazonRowReading } from './read-manage-inventory-rows';

const cellSelector = 'td, th, [role="cell"], [role="gridcell"], [role="columnheader"], [role="rowheader"]';

/**
 * Reads the FBA inventory page. Nothing about its markup is public beyond
 * "rows are `tr` or `[role=row]`, possibly inside open shadow roots, and say
 * `MSKU: …`", so a row is any such element whose own text names an MSKU;
 * the available count is the cell under a header labelled "Available".
 */
export function readFbaInventoryRows(root: ParentNode & Node): AmazonRowReading[] {
  const candidates = deepQueryAll(root, sel.row).filter((row) => sel.msku.test(row.textContent ?? ''));
  // A wrapper row around the real row (or a nested grid) also contains the text: keep the innermost.
  const rows = candidates.filter((row) => !candidates.some((other) => other !== row && row.contains(other)));
  const readings: AmazonRowReading[] = [];
  for (const row of rows) {
    const text = spacedText(row);
    const sku = identifier(sel.msku.exec(text)?.[1]);
    if (!sku) continue;
    const cells = ownCells(row);
    const reading: AmazonRowReading = { channelSku: sku, anchor: cells.find((c) => sel.msku.test(c.textContent ?? '')) ?? row };
    const asin = sel.asin.exec(text)?.[1];
    if (asin) reading.externalId = asin;
    const title = identifier(cleanText(row.querySelector('a[href*="/dp/"]')));
    if (title) reading.title = title;
    const column = availableColumn(row);
    const quantity = column === undefined ? undefined : parseQuantity(cleanText(cells[column]));
    if (quantity !== undefined) reading.displayedQuantity = quantity;
    readings.push(reading);
  }
  return readings;
}

/** The row's own cells, not those of a grid nested inside one of them. */
function ownCells(row: Element): Element[] {
  return [...row.querySelectorAll(cellSelector)].filter((cell) => cell.parentElement?.closest('tr, [role="row"]') === row);
}

/** Index of the "Available" column, from the header row of the row's own table or grid. */
function availableColumn(row: Element): number | undefined {
  const table = row.closest('table, [role="table"], [role="grid"], [role="treegrid"]');
  if (!table) return undefined;
  for (const headerRow of table.querySelectorAll('tr, [role="row"]')) {
    if (sel.msku.test(headerRow.textContent ?? '')) continue; // a listing row, not the header
    const headers = ownCells(headerRow).filter((c) => c.matches('th, [role="columnheader"]'));
    if (headers.length === 0) continue;
    const index = headers.findIndex((h) => (sel.availableHeaders as readonly string[]).includes(cleanText(h)));
    if (index >= 0) return index;
  }
  return undefined;
}
