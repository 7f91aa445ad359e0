import { cleanText, identifier, parseQuantity } from '../portal-row';
import { classicInventory as sel } from './amazon-selectors';
import type { AmazonRowReading } from './read-manage-inventory-rows';

/**
 * Reads the classic "Manage Inventory" table: `tr.mt-row` rows whose
 * `data-row-data` JSON names the SKU and ASIN, with the quantity in its own
 * cell (an input for merchant-fulfilled offers, link text for FBA).
 */
export function readClassicRows(root: ParentNode): AmazonRowReading[] {
  const readings: AmazonRowReading[] = [];
  for (const row of root.querySelectorAll(sel.row)) {
    const data = rowData(row);
    const skuCell = row.querySelector(sel.skuCell);
    const sku = identifier(typeof data.sku === 'string' ? data.sku : null) ?? identifier(cleanText(skuCell));
    // Placeholder rows ("no results", spacer) carry neither data nor a SKU cell.
    if (!sku || (!skuCell && Object.keys(data).length === 0)) continue;

    const reading: AmazonRowReading = { channelSku: sku, anchor: skuCell ?? row };
    const asin = typeof data.asin === 'string' ? data.asin : cleanText(row.querySelector(sel.asin));
    if (/^[A-Z0-9]{10}$/.test(asin)) reading.externalId = asin;
    const title = identifier(cleanText(row.querySelector(sel.title)));
    if (title) reading.title = title;

    const quantityCell = row.querySelector(sel.quantityCell);
    if (quantityCell) {
      const input = quantityCell.querySelector(sel.quantityInput);
      const quantity = parseQuantity(input ? input.getAttribute('value') : cleanText(quantityCell));
      if (quantity !== undefined) reading.displayedQuantity = quantity;
    }
    readings.push(reading);
  }
  return readings;
}

/** The row's JSON, or {} when it is missing or not JSON (never throws on page data). */
function rowData(row: Element): Record<string, unknown> {
  const raw = row.getAttribute(sel.rowData);
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
