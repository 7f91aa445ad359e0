import { spacedText } from './portal-row';

/** Cells of a table row or an ARIA row, in order, not counting those of grids nested inside. */
export function rowCells(row: Element): Element[] {
  const cells = row.querySelectorAll('td, th, [role="cell"], [role="gridcell"], [role="columnheader"], [role="rowheader"]');
  return [...cells].filter((cell) => cell.parentElement?.closest('tr, [role="row"]') === row);
}

/**
 * A header's words without sort arrows, counts or punctuation: "SKU ▲" →
 * "sku". Text nodes are kept apart ("SKU" + a button's "Sort" is two words).
 */
export function headerWords(cell: Element): string {
  return spacedText(cell)
    .toLowerCase()
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Column positions by header text, for tables whose markup names nothing
 * else (Walmart, Shopify): `{ sku: ['sku'], quantity: ['inventory', 'available'] }`
 * → `{ sku: 2, quantity: 4 }`. A header that only starts with the name
 * ("sku sort ascending": a sort button's hidden words) counts when no
 * header is exactly the name. A name whose header is missing is absent.
 */
export function columnsByHeader<K extends string>(headerRow: Element, wanted: Record<K, readonly string[]>): Partial<Record<K, number>> {
  const headers = rowCells(headerRow).map(headerWords);
  const found: Partial<Record<K, number>> = {};
  for (const name of Object.keys(wanted) as K[]) {
    const names = wanted[name];
    let index = headers.findIndex((words) => names.includes(words));
    if (index < 0) index = headers.findIndex((words) => names.some((n) => words.startsWith(`${n} `)));
    if (index >= 0) found[name] = index;
  }
  return found;
}

/** The header row of a table or ARIA grid: the first row made of column headers. */
export function headerRowOf(table: Element): Element | null {
  for (const row of table.querySelectorAll('tr, [role="row"]')) {
    const cells = rowCells(row);
    if (cells.length > 0 && cells.some((cell) => cell.matches('th, [role="columnheader"]')) && !cells.some((cell) => cell.matches('td, [role="cell"], [role="gridcell"]'))) {
      return row;
    }
  }
  return null;
}
