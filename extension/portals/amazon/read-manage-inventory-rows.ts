import { cleanText, identifier, parseQuantity, type RowReading } from '../portal-row';
import { asinPattern, labels, manageInventory as sel } from './amazon-selectors';

/** Amazon rows: channelSku is the seller SKU, externalId the ASIN. */
export type AmazonRowReading = RowReading & { channelSku: string };

interface LabelledValue {
  label: string;
  value: Element;
}

/**
 * Reads the current "Manage All Inventory" table: rows are Janus table rows
 * inside an element carrying `data-sku`; identifiers and quantities are
 * label/value pairs. Header, footer and bulk-action rows have no `data-sku`
 * owner and are skipped.
 */
export function readManageInventoryRows(root: ParentNode): AmazonRowReading[] {
  const readings: AmazonRowReading[] = [];
  const seenOwners = new Set<Element>();
  for (const row of root.querySelectorAll(sel.row)) {
    const owner = row.closest(sel.skuOwner);
    // A prefix match can also hit a wrapper around the row; one reading per owner.
    if (!owner || seenOwners.has(owner)) continue;
    seenOwners.add(owner);
    const reading = readRow(row, owner);
    if (reading) readings.push(reading);
  }
  return readings;
}

function readRow(row: Element, owner: Element): AmazonRowReading | null {
  const pairs = labelledValues(row);
  const skuPair = pairs.find((p) => p.label === labels.sku);
  // data-sku is the same in every language; the SKU label is the fallback.
  const sku = identifier(owner.getAttribute('data-sku')) ?? identifier(cleanText(skuPair?.value));
  if (!sku) return null;

  const reading: AmazonRowReading = { channelSku: sku, anchor: skuPair?.value ?? row };
  const asin = asinFrom(row, pairs);
  if (asin) reading.externalId = asin;
  const title = identifier(cleanText(row.querySelector(sel.detailLink)));
  if (title) reading.title = title;

  const merchant = pairs.find((p) => (labels.merchantAvailable as readonly string[]).includes(p.label));
  const fba = pairs.find((p) => (labels.fbaAvailable as readonly string[]).includes(p.label));
  const merchantQuantity = merchant ? quantityIn(merchant.value) : undefined;
  const fbaQuantity = fba ? quantityIn(fba.value) : undefined;
  // The seller's own (merchant) count is what onhand publishes; FBA's is shown for FBA-only offers.
  const displayed = merchantQuantity ?? fbaQuantity;
  if (displayed !== undefined) reading.displayedQuantity = displayed;
  return reading;
}

function labelledValues(row: Element): LabelledValue[] {
  const pairs: LabelledValue[] = [];
  for (const split of row.querySelectorAll(sel.splitRow)) {
    const panels = [...split.children].filter((child) => child.matches(sel.splitPanel));
    const [labelPanel, valuePanel] = panels;
    if (!labelPanel || !valuePanel) continue;
    pairs.push({ label: cleanText(labelPanel), value: valuePanel });
  }
  return pairs;
}

function asinFrom(row: Element, pairs: LabelledValue[]): string | undefined {
  const labelled = cleanText(pairs.find((p) => p.label === labels.asin)?.value);
  if (/^[A-Z0-9]{10}$/.test(labelled)) return labelled;
  const href = row.querySelector(sel.detailLink)?.getAttribute('href') ?? '';
  return asinPattern.exec(href)?.[1];
}

/** An editable quantity lives in an input's value attribute; a read-only one is text. */
function quantityIn(panel: Element): number | undefined {
  const input = panel.querySelector(sel.quantityInput);
  if (input) return parseQuantity(input.getAttribute('value'));
  return parseQuantity(cleanText(panel));
}
