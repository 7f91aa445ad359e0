/**
 * Input limits, documented in the README ("Limits"). They are part of the API
 * contract: the server rejects anything outside them with BAD_REQUEST naming
 * the field, before anything is written.
 */
export const limits = {
  /** Shopify allows 255-character SKUs; Amazon 40, eBay 80. */
  skuLengthMax: 255,
  titleLengthMax: 500,
  noteLengthMax: 1000,
  nameLengthMax: 200,
  idempotencyKeyLengthMax: 200,
  /** Largest quantity one bucket may hold, or one change may move. */
  quantityMax: 10_000_000,
  /** SKUs in one inventory.bySkus call; rows in one listings.lookup. */
  batchMax: 500,
  historyPageMax: 200,
  historyPageDefault: 50,
  bundleComponentsMax: 50,
  searchQueryLengthMax: 200,
} as const;
