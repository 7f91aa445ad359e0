import { cleanText, identifier, parseQuantity, type RowReading } from '../portal-row';
import { asinPattern, labels, manageInventory as sel } from './amazon-selectors';

/** Amazon rows: channelSku is the seller SKU, externalId the ASIN. */
export type AmazonRowReading = RowReading & { channelSku: string };

interface LabelledValue {
  /** Normalised: lower case, no trailing colon. */
  label: string;
  value: Element;
}

/**
 * Reads the current "Manage All Inventory" table: rows are Janus table rows
 * inside an element carrying `data-sku` (or Katal table rows), identifiers
 * and quantities are label/value pairs, or Katal columns named by their
 * header. Janus header, footer and bulk-action rows have no `data-sku` owner
 * and are skipped; a Katal table's head is not in its body.
 */
export function readManageInventoryRows(root: ParentNode): AmazonRowReading[] {
  const readings: AmazonRowReading[] = [];
  const seenOwners = new Set<Element>();
  const headersOf = new Map<Element, string[]>();
  for (const row of root.querySelectorAll(sel.row)) {
    const katal = row.matches(sel.katalRow);
    const owner = row.closest(sel.skuOwner) ?? (katal ? row : null);
    // A prefix match can also hit a wrapper around the row; one reading per owner.
    if (!owner || seenOwners.has(owner)) continue;
    seenOwners.add(owner);
    const pairs = labelledValues(row);
    if (katal) pairs.push(...katalColumns(row, headersOf));
    const reading = readRow(row, owner, pairs);
    if (reading) readings.push(reading);
  }
  return readings;
}

const labelled = (pairs: LabelledValue[], names: readonly string[]) => pairs.find((p) => names.some((name) => p.label === normalLabel(name)));

function readRow(row: Element, owner: Element, pairs: LabelledValue[]): AmazonRowReading | null {
  const skuPair = labelled(pairs, [labels.sku]);
  // data-sku is the same in every language; the SKU label is the fallback.
  const sku = identifier(owner.getAttribute('data-sku')) ?? identifier(cleanText(skuPair?.value));
  if (!sku) return null;

  const reading: AmazonRowReading = { channelSku: sku, anchor: skuPair?.value ?? row };
  const asin = asinFrom(row, pairs);
  if (asin) reading.externalId = asin;
  const title = identifier(cleanText(row.querySelector(sel.detailLink)));
  if (title) reading.title = title;

  const merchant = labelled(pairs, labels.merchantAvailable);
  const fba = labelled(pairs, labels.fbaAvailable);
  const merchantQuantity = merchant ? quantityIn(merchant.value) : undefined;
  const fbaQuantity = fba ? quantityIn(fba.value) : undefined;
  // The seller's own (merchant) count is what onhand publishes; FBA's is shown for FBA-only offers.
  const displayed = merchantQuantity ?? fbaQuantity;
  if (displayed !== undefined) reading.displayedQuantity = displayed;
  return reading;
}

/** "SKU", "Sku:", " ASIN : " → "sku", "asin". */
function normalLabel(text: string): string {
  return text.replace(/\s*[:：]\s*$/, '').trim().toLowerCase();
}

function labelledValues(row: Element): LabelledValue[] {
  const pairs: LabelledValue[] = [];
  for (const split of row.querySelectorAll(sel.splitRow)) {
    // The two panels, label first; a deploy may wrap them, so any depth that is still this pair's.
    const panels = [...split.querySelectorAll(sel.splitPanel)].filter((panel) => panel.parentElement?.closest(sel.splitRow) === split);
    const [labelPanel, valuePanel] = panels;
    if (!labelPanel || !valuePanel) continue;
    pairs.push({ label: normalLabel(cleanText(labelPanel)), value: valuePanel });
  }
  return pairs;
}

/** A Katal row's cells, each labelled by its column's header in the table's head row. */
function katalColumns(row: Element, headersOf: Map<Element, string[]>): LabelledValue[] {
  const table = row.closest(sel.katalTable);
  if (!table) return [];
  let headers = headersOf.get(table);
  if (!headers) {
    const head = table.querySelector(sel.katalHeadRow);
    headers = head ? ownKatalCells(head).map((cell) => normalLabel(cleanText(cell))) : [];
    headersOf.set(table, headers);
  }
  const known = headers;
  return ownKatalCells(row).flatMap((cell, index) => (known[index] ? [{ label: known[index], value: cell }] : []));
}

const ownKatalCells = (row: Element): Element[] => [...row.children].filter((child) => child.matches(sel.katalCell));

function asinFrom(row: Element, pairs: LabelledValue[]): string | undefined {
  const labelledAsin = cleanText(labelled(pairs, [labels.asin])?.value);
  if (/^[A-Z0-9]{10}$/.test(labelledAsin)) return labelledAsin;
  const href = row.querySelector(sel.detailLink)?.getAttribute('href') ?? '';
  return asinPattern.exec(href)?.[1];
}

/**
 * An editable quantity lives in an input's value attribute (Katal mirrors
 * it there); a Katal input that does not mirror it keeps it in the <input>
 * of its open shadow root; a read-only quantity is text.
 */
function quantityIn(panel: Element): number | undefined {
  const input = panel.querySelector(sel.quantityInput);
  if (input) return parseQuantity(input.getAttribute('value'));
  const katal = panel.querySelector(sel.katalInput);
  const inner = katal?.shadowRoot?.querySelector('input');
  if (inner) return parseQuantity(inner.value);
  return parseQuantity(cleanText(panel));
}
