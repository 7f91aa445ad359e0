/**
 * Everything the eBay adapter knows about Seller Hub's active listings grid
 * (portals.md). These class names carry no build hash; a redesign is fixed here.
 */
export const ebaySelectors = {
  /**
   * A listing row: the grid row carrying the item id. Spacer, detail and
   * skeleton (still loading) rows carry none. A grid-row class is enough
   * where a layout's table lacks the grid role.
   */
  row: 'table[role="grid"] tr[data-id], tr.grid-row[data-id]',
  title: '.shui-dt-column__title',
  titleLink: 'a[href*="/itm/"]',
  customLabel: '.shui-dt-column__listingSKU',
  quantity: '.shui-dt-column__availableQuantity',
  itemId: '.shui-dt-column__listingId',
  /** Where the page summary goes (else the table of the first listing row). */
  grid: 'table[role="grid"]',
} as const;

/** eBay item ids are 9–19 digits. */
export const itemIdPattern = /^\d{9,19}$/;
export const itemIdInHref = /\/itm\/(?:[^/?#]+\/)?(\d{9,19})(?:[/?#]|$)/;
/** What eBay prints in an empty cell. */
export const emptyCell = /^(-+|—|–)?$/;
