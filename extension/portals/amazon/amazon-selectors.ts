/**
 * Every selector and label the Amazon adapter relies on, in one place, so a
 * portal redesign is fixed here. Amazon's class names end in a build hash
 * (`JanusTable-module__tableContentRow--MGDsi`) that changes with each deploy:
 * match only the stable prefix, data attributes and visible label text.
 */
export const manageInventory = {
  /**
   * One listing row of the current "Manage All Inventory" table: a Janus
   * table row, or a Katal table row (`kat-table > kat-table-body >
   * kat-table-row[role=row]`, light-DOM custom elements) where the table is
   * drawn with Katal.
   */
  row: '[class*="JanusTable-module__tableContentRow"], kat-table-body > kat-table-row',
  /** Katal table parts: rows hold their cells directly; the head row names the columns. */
  katalRow: 'kat-table-row',
  katalCell: 'kat-table-cell',
  katalTable: 'kat-table',
  katalHeadRow: 'kat-table-head > kat-table-row',
  /** Rows of listings sit inside an element naming their SKU; header and footer rows do not. */
  skuOwner: '[data-sku]',
  /** A label/value pair: two panels, label first. */
  splitRow: '[class*="JanusSplitBox-module__row"]',
  splitPanel: '[class*="JanusSplitBox-module__panel"]',
  /** The product title links to the detail page, whose path holds the ASIN. */
  detailLink: 'a[href*="/dp/"]',
  /** Editable merchant quantity: Katal's input mirrors its value in the attribute. */
  quantityInput: 'kat-input[value], input[value]',
  /** A Katal input that does not mirror its value: the <input> in its open shadow root holds it. */
  katalInput: 'kat-input',
} as const;

export const classicInventory = {
  row: 'table.mt-table > tbody > tr.mt-row',
  rowData: 'data-row-data',
  skuCell: 'td[data-column="sku"]',
  asin: 'td[data-column="title"] [data-column="asin"]',
  title: 'td[data-column="title"] a',
  quantityCell: 'td[data-column="quantity"]',
  quantityInput: 'input[value]',
  fulfillmentCell: 'td[data-column="fulfillment_channel"]',
} as const;

/**
 * Label texts of the label/value pairs and of Katal column headers (English
 * Seller Central), compared without case and without a trailing colon
 * ("SKU", "sku:"). Other languages still work for SKUs (read from
 * `data-sku`); their quantity labels are not known yet, so no displayed
 * quantity is read there.
 */
export const labels = {
  sku: 'SKU',
  asin: 'ASIN',
  merchantAvailable: ['Available', 'Available (Fulfilled by Merchant)'],
  fbaAvailable: ['Available (FBA)'],
} as const;

/**
 * FBA inventory page: no public selectors. Rows are table rows or ARIA rows,
 * sometimes inside open shadow roots, and carry the text "MSKU: <sku>"
 * (inference from a monitoring script, see portals.md).
 */
export const fbaInventory = {
  row: 'tr, [role="row"]',
  msku: /\bMSKU:\s*(\S+)/,
  asin: /\bASIN:\s*([A-Z0-9]{10})\b/,
  /** Column headers that hold the sellable count, by visible label. */
  availableHeaders: ['Available', 'Fulfillable', 'Available (FBA)'],
} as const;

export const asinPattern = /\/dp\/([A-Z0-9]{10})(?:[/?#]|$)/;
