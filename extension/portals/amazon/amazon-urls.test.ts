import { describe, expect, it } from 'vitest';
import { amazonPageKind, amazonRegionOf, sellerCentralHosts, sellerCentralMatchPatterns } from './amazon-urls';
import { amazonFixtures } from './fixture-pages';

describe('Amazon Seller Central URLs', () => {
  it('knows the listing pages of every saved fixture', () => {
    expect(amazonPageKind(new URL(amazonFixtures.manageInventory.url))).toBe('manage-inventory');
    expect(amazonPageKind(new URL(amazonFixtures.manageInventoryLateRows.url))).toBe('manage-inventory');
    expect(amazonPageKind(new URL(amazonFixtures.classicInventory.url))).toBe('classic-inventory');
    expect(amazonPageKind(new URL(amazonFixtures.fbaInventory.url))).toBe('fba-inventory');
    expect(amazonPageKind(new URL(amazonFixtures.fbaInventoryAriaLate.url))).toBe('fba-inventory');
    expect(amazonPageKind(new URL(amazonFixtures.manageInventoryKatal.url))).toBe('manage-inventory');
    expect(amazonPageKind(new URL(amazonFixtures.classicInventoryPaged.url))).toBe('classic-inventory');
  });

  it.each([
    ['https://sellercentral.amazon.co.jp/myinventory/inventory/', 'manage-inventory'],
    ['https://sellercentral-europe.amazon.com/inventory?viewId=FBAKNIGHTS', 'classic-inventory'],
    ['https://sellercentral.amazon.com/hz/inventory/view/FBAKNIGHTS?ref_=xx', 'classic-inventory'],
    ['https://sellercentral.amazon.com/inventoryplanning/manageinventoryhealth', 'fba-inventory'],
    ['https://sellercentral.amazon.com/orders-v3', null],
    ['https://sellercentral.amazon.com.evil.example/myinventory/inventory', null],
    ['http://sellercentral.amazon.com/myinventory/inventory', null],
    ['https://www.amazon.com/myinventory/inventory', null],
  ])('%s is %s', (url, kind) => {
    expect(amazonPageKind(new URL(url))).toBe(kind);
  });

  it('matches every country host over https only', () => {
    expect(sellerCentralMatchPatterns).toHaveLength(sellerCentralHosts.length);
    for (const pattern of sellerCentralMatchPatterns) expect(pattern).toMatch(/^https:\/\/sellercentral[a-z-]*\.amazon\.[a-z.]+\/\*$/);
    expect(sellerCentralMatchPatterns).toContain('https://sellercentral.amazon.com/*');
    expect(sellerCentralMatchPatterns).toContain('https://sellercentral-japan.amazon.com/*');
  });
});

describe('Amazon marketplace country', () => {
  it.each([
    ['https://sellercentral.amazon.com/myinventory/inventory', 'US'],
    ['https://sellercentral.amazon.de/myinventory/inventory', 'DE'],
    ['https://sellercentral.amazon.co.uk/inventory', 'GB'],
    ['https://sellercentral.amazon.com.au/inventory', 'AU'],
    ['https://sellercentral.amazon.ca/inventory', 'CA'],
    ['https://sellercentral.amazon.ie/myinventory/inventory', 'IE'],
    ['https://sellercentral.amazon.co.za/myinventory/inventory', 'ZA'],
    ['https://sellercentral.amazon.com.be/myinventory/inventory', 'BE'],
    ['https://sellercentral-europe.amazon.com/inventory', undefined],
  ])('%s is %s', (url, region) => {
    expect(amazonRegionOf(new URL(url))).toBe(region);
  });
});
