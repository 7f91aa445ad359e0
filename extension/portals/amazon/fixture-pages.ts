import { savedPageReader, type SavedPageInfo } from '../saved-page-files';

/** The saved Seller Central pages, with the real URL each one was saved from. */
export const amazonFixtures = {
  manageInventory: {
    file: 'manage-inventory.html',
    url: 'https://sellercentral.amazon.com/myinventory/inventory?fulfilledBy=all&page=1&pageSize=25',
  },
  manageInventoryLateRows: {
    file: 'manage-inventory-late-rows.html',
    url: 'https://sellercentral.amazon.de/myinventory/inventory?fulfilledBy=all&page=1&pageSize=100&sort=date_created_desc',
  },
  classicInventory: {
    file: 'classic-inventory.html',
    url: 'https://sellercentral.amazon.co.uk/inventory?viewId=FBAKNIGHTS&tbla_myitable=sort:%7B%22sortOrder%22%3A%22DESCENDING%22%7D;search:;pagination:1;',
  },
  manageInventoryKatal: {
    file: 'manage-inventory-katal.html',
    url: 'https://sellercentral.amazon.ca/myinventory/inventory?fulfilledBy=all&page=1&pageSize=25&searchField=all&searchTerm=',
  },
  classicInventoryPaged: {
    file: 'classic-inventory-paged.html',
    url: 'https://sellercentral.amazon.de/inventory?tbla_myitable=sort:%7B%7D;search:;pagination:1;',
  },
  fbaInventory: {
    file: 'fba-inventory.html',
    url: 'https://sellercentral.amazon.com/inventoryplanning/manageinventoryhealth?sort=available_desc',
  },
  fbaInventoryAriaLate: {
    file: 'fba-inventory-aria-late.html',
    url: 'https://sellercentral.amazon.co.uk/manage/fba-inventory',
  },
} satisfies Record<string, SavedPageInfo>;

export type AmazonFixtureName = keyof typeof amazonFixtures;

const read = savedPageReader(import.meta.url);

export function readAmazonFixture(name: AmazonFixtureName): string {
  return read(amazonFixtures[name].file);
}
