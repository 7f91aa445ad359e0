import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
} as const;

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export type AmazonFixtureName = keyof typeof amazonFixtures;

export function readAmazonFixture(name: AmazonFixtureName): string {
  // Path strings, not URL objects: happy-dom replaces the global URL in DOM tests.
  return readFileSync(join(fixturesDir, amazonFixtures[name].file), 'utf8');
}
