import { savedPageReader, type SavedPageInfo } from '../saved-page-files';

/** Saved Seller Center item pages, with the real URL each was saved from. */
export const walmartPages = {
  manageItems: { file: 'manage-items.html', url: 'https://seller.walmart.com/items-and-inventory/manage-items' },
  sorted: { file: 'manage-items-sorted.html', url: 'https://seller.walmart.com/items-and-inventory/manage-items?sort=itemName&order=asc' },
  gridLateRows: { file: 'manage-items-grid-late.html', url: 'https://seller.walmart.com/items-and-inventory/manage-items?filters=published&page=1' },
} satisfies Record<string, SavedPageInfo>;

export type WalmartPageName = keyof typeof walmartPages;
const read = savedPageReader(import.meta.url);
export const readWalmartPage = (name: WalmartPageName): string => read(walmartPages[name].file);
