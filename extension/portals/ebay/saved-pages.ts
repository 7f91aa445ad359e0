import { savedPageReader, type SavedPageInfo } from '../saved-page-files';

/** Saved Seller Hub active-listing pages, with the real URL each was saved from. */
export const ebayPages = {
  activeGrid: { file: 'active-grid.html', url: 'https://www.ebay.com/sh/lst/active?offset=0&limit=200&sort=-scheduledStartDate' },
  tbodyPerListing: { file: 'active-tbody-per-listing.html', url: 'https://www.ebay.co.uk/sh/lst/active?offset=0&limit=50' },
  paginationSwap: { file: 'active-pagination-swap.html', url: 'https://www.ebay.de/sh/lst/active?offset=0&limit=2' },
  lazyRerender: { file: 'active-lazy-rerender.html', url: 'https://www.cafr.ebay.ca/sh/lst/active?offset=0&limit=50&sort=availableQuantity' },
} satisfies Record<string, SavedPageInfo>;

export type EbayPageName = keyof typeof ebayPages;
const read = savedPageReader(import.meta.url);
export const readEbayPage = (name: EbayPageName): string => read(ebayPages[name].file);
