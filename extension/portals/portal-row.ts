/**
 * What a portal adapter hands to the portal-agnostic overlay: one listing row
 * of the page, identified the way the marketplace shows it, plus the element
 * next to which the overlay is drawn. Adapters own all knowledge of a site's
 * DOM; nothing outside `portals/<portal>/` looks at page markup.
 */
export type MarketplaceName = 'amazon' | 'ebay' | 'walmart' | 'shopify' | 'etsy';

export interface PortalRow {
  /** Unique on the page; becomes the badge host's `data-onhand-row` and the lookup row key. */
  key: string;
  /** The seller's own code: Amazon seller SKU, eBay custom label, Walmart/Shopify/Etsy SKU. */
  channelSku?: string;
  /** The marketplace's id: ASIN, eBay item id, Walmart item id, Shopify product/variant id, Etsy listing id. */
  externalId?: string;
  title?: string;
  /** The quantity the page itself shows for this listing (absent for variations without one). */
  displayedQuantity?: number;
  /** The element the badge host is appended to. */
  anchor: Element;
}

/** A row as an adapter reads it, before it gets its page-unique key. */
export type RowReading = Omit<PortalRow, 'key'>;

export interface PortalAdapter {
  /** The marketplace the server knows this portal as. */
  marketplace: MarketplaceName;
  /** The marketplace country a URL belongs to (ISO 3166 alpha-2), when the host says it. */
  regionOf(url: URL): string | undefined;
  /** Whether this URL shows listing rows worth overlaying. */
  isListingPage(url: URL): boolean;
  /** Reads every listing row under `root`; rows without any identifier are skipped. */
  readRows(root: ParentNode): PortalRow[];
  /**
   * Extra roots to watch for changes (open shadow roots the page fills
   * later): a MutationObserver on the document does not see inside them.
   */
  watchedRoots?(root: Document): Node[];
  /** Where the page summary goes (inserted before this element); a fixed corner when absent. */
  summaryAnchor?(root: Document): Element | null;
}

/**
 * Gives every reading a key unique on the page. `identity` picks the id that
 * names a row best on that portal; repeats get `#2`, `#3`.
 */
export function withUniqueKeys(readings: RowReading[], identity: (row: RowReading) => string | undefined): PortalRow[] {
  const seen = new Map<string, number>();
  const rows: PortalRow[] = [];
  for (const reading of readings) {
    const base = identity(reading) ?? reading.channelSku ?? reading.externalId;
    if (!base) continue; // a row without any identifier cannot be looked up
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    rows.push({ ...reading, key: count === 1 ? base : `${base}#${count}` });
  }
  return rows;
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

/** The first whole number in a text ("12 in stock" → 12), or undefined. */
export function firstNumber(text: string | null | undefined): number | undefined {
  const match = /[-−]?\d[\d,.\u00a0\u202f]*/.exec(text ?? '');
  return match ? parseQuantity(match[0]) : undefined;
}

/** Visible text with runs of whitespace collapsed. */
export function cleanText(node: Node | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** A trimmed, non-empty identifier or undefined (page text is never trusted to be present). */
export function identifier(value: string | null | undefined): string | undefined {
  const trimmed = (value ?? '').replace(/\s+/g, ' ').trim();
  return trimmed && trimmed.length <= 255 ? trimmed : undefined;
}

/**
 * Every open shadow root under `root`, depth first. Closed roots stay
 * invisible, as they should. Only called on pages known to use them.
 */
export function openShadowRoots(root: Node): ShadowRoot[] {
  const found: ShadowRoot[] = [];
  const visit = (node: Node): void => {
    const doc = node.ownerDocument ?? (node as Document);
    const walker = doc.createTreeWalker(node, 1 /* NodeFilter.SHOW_ELEMENT */);
    for (let el = walker.nextNode() as Element | null; el; el = walker.nextNode() as Element | null) {
      if (el.shadowRoot) {
        found.push(el.shadowRoot);
        visit(el.shadowRoot);
      }
    }
  };
  visit(root);
  return found;
}

/** querySelectorAll over `root` and every open shadow root beneath it. */
export function deepQueryAll(root: ParentNode & Node, selector: string): Element[] {
  const roots: (ParentNode & Node)[] = [root, ...openShadowRoots(root)];
  return roots.flatMap((r) => [...r.querySelectorAll(selector)]);
}

/**
 * Text with a space between every text node: `textContent` glues
 * `<div>MSKU: A</div><div>ASIN: B</div>` into "MSKU: AASIN: B".
 */
export function spacedText(node: Node): string {
  const doc = node.ownerDocument ?? (node as Document);
  const walker = doc.createTreeWalker(node, 4 /* NodeFilter.SHOW_TEXT */);
  const parts: string[] = [];
  for (let text = walker.nextNode(); text; text = walker.nextNode()) parts.push(text.nodeValue ?? '');
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
