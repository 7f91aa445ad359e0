/**
 * What a portal adapter hands to the portal-agnostic overlay: one listing row
 * of the page, identified the way the server knows it (the seller SKU), plus
 * the element next to which the overlay is drawn. Adapters own all knowledge
 * of a site's DOM; nothing outside `portals/<portal>/` looks at page markup.
 */
export interface PortalRow {
  /** Unique on the page; becomes the badge host's `data-onhand-row`. */
  key: string;
  sku: string;
  asin?: string;
  /** The quantity the page itself shows for the seller's own (MF) offer, or FBA's count. */
  displayedQuantity?: number;
  /** Which count `displayedQuantity` is. */
  fulfilledBy?: 'merchant' | 'marketplace';
  /** The element the badge host is appended to. */
  anchor: Element;
}

export interface PortalAdapter {
  /** Human name, for logs. */
  name: string;
  /** Whether this URL shows listing rows worth overlaying. */
  isListingPage(url: URL): boolean;
  /** Reads every listing row under `root`; rows without a SKU are skipped. */
  readRows(root: ParentNode): PortalRow[];
}

/** Makes keys unique when a page shows the same SKU twice (e.g. two offers). */
export function uniqueKeys<T extends { sku: string }>(rows: T[]): (T & { key: string })[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const count = (seen.get(row.sku) ?? 0) + 1;
    seen.set(row.sku, count);
    return { ...row, key: count === 1 ? row.sku : `${row.sku}#${count}` };
  });
}

/** "1,234" / "1.234" / " 12 " → number; anything without digits → undefined. */
export function parseQuantity(text: string | null | undefined): number | undefined {
  if (text == null) return undefined;
  const trimmed = text.trim();
  if (!/\d/.test(trimmed)) return undefined;
  // Thousands separators differ per marketplace (1,234 in the US, 1.234 in
  // Germany); quantities are integers, so every non-digit is a separator.
  const digits = trimmed.replace(/\D/g, '');
  const value = Number.parseInt(digits, 10);
  if (!Number.isSafeInteger(value)) return undefined;
  return trimmed.startsWith('-') || trimmed.startsWith('−') ? -value : value;
}

/** Visible text with runs of whitespace collapsed. */
export function cleanText(node: Node | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
