/**
 * Everything the eBay adapter knows about Seller Hub's active listings grid
 * (portals.md). These class names carry no build hash; a redesign is fixed here.
 */
export const ebaySelectors = {
  /** A listing row: the grid row carrying the item id. Spacer and detail rows carry none. */
  row: 'table[role="grid"] tr[data-id]',
  title: '.shui-dt-column__title',
  titleLink: 'a[href*="/itm/"]',
  customLabel: '.shui-dt-column__listingSKU',
  quantity: '.shui-dt-column__availableQuantity',
  itemId: '.shui-dt-column__listingId',
  /** Where the page summary goes. */
  grid: 'table[role="grid"]',
} as const;

/** eBay item ids are 9–19 digits. */
export const itemIdPattern = /^\d{9,19}$/;
export const itemIdInHref = /\/itm\/(?:[^/?#]+\/)?(\d{9,19})(?:[/?#]|$)/;
/** What eBay prints in an empty cell. */
export const emptyCell = /^(-+|—|–)?$/;
