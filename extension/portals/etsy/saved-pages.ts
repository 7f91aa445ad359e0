import { savedPageReader, type SavedPageInfo } from '../saved-page-files';

/** Saved Etsy listings-manager pages, with the real URL each was saved from. */
export const etsyPages = {
  listings: { file: 'listings.html', url: 'https://www.etsy.com/your/shops/me/tools/listings' },
  lateAndPaged: { file: 'listings-late-paged.html', url: 'https://www.etsy.com/your/shops/me/tools/listings/page:2/state:active' },
} satisfies Record<string, SavedPageInfo>;

export type EtsyPageName = keyof typeof etsyPages;
const read = savedPageReader(import.meta.url);
export const readEtsyPage = (name: EtsyPageName): string => read(etsyPages[name].file);
