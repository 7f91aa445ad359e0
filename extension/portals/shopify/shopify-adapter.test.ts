// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parseSavedPage } from '../saved-page-files';
import { readShopifyPage, shopifyPages, type ShopifyPageName } from './saved-pages';
import { shopifyAdapter } from './shopify-adapter';
import { isShopifyListingPage } from './shopify-urls';

const parse = (name: ShopifyPageName) => parseSavedPage(readShopifyPage(name));
const summary = (doc: Document) => shopifyAdapter.readRows(doc).map(({ anchor, ...row }) => ({ ...row, anchorTag: anchor.tagName }));

describe('Shopify admin (saved pages)', () => {
  it('reads product rows: id from the row, title from the primary link, a single "in stock" count only', () => {
    expect(summary(parse('products'))).toEqual([
      { key: '8123456781', externalId: '8123456781', title: 'Stoneware Coffee Mug', displayedQuantity: 12, anchorTag: 'TD' },
      { key: '8123456782', externalId: '8123456782', title: 'Organic Cotton Tee', anchorTag: 'TD' }, // 28 over 3 variants: no single quantity
      { key: '8123456783', externalId: '8123456783', title: 'Soy Candle, Lavender', anchorTag: 'TD' }, // not tracked
      { key: '8123456789', externalId: '8123456789', title: 'Linen Tea Towel (imported from old shop)', displayedQuantity: 2, anchorTag: 'TD' },
    ]);
  });

  it('reads variant rows on the inventory page: variant id, SKU and the Available input', () => {
    expect(summary(parse('inventory')).map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['45000000000011', 'DEMO-MUG-11OZ', 12],
      ['45000000000021', 'DEMO-TEE-M-BLK', 3],
      ['45000000000041', 'DEMO-BOTTLE-750', 55],
      ['45000000000091', undefined, 40],
    ]);
  });

  it('reads the narrow <li> layout and skips the "load more" item', () => {
    expect(summary(parse('productsNarrow')).map((r) => [r.key, r.title, r.displayedQuantity])).toEqual([
      ['8123456781', 'Stoneware Coffee Mug', 12],
      ['8123456782', 'Organic Cotton Tee', undefined],
      ['8123456784', 'Steel Water Bottle', 60],
    ]);
  });

  it('reads late rows on the legacy admin URL, in batches, with a row id that is a GraphQL id', () => {
    const doc = parse('productsLegacyLazy');
    expect(shopifyAdapter.readRows(doc)).toEqual([]);
    // What the page's script does after load and on scroll (scripts do not run here).
    const batch = (id: string) => [...((doc.getElementById(id) as HTMLTemplateElement).content.querySelector('tbody')?.cloneNode(true) as Element).children];
    doc.getElementById('rows')?.replaceChildren(...batch('batch-1'));
    expect(summary(doc).map((r) => [r.key, r.displayedQuantity])).toEqual([['8123456781', 12]]);
    doc.getElementById('rows')?.append(...batch('batch-2'));
    expect(summary(doc)).toEqual([
      { key: '8123456781', externalId: '8123456781', title: 'Stoneware Coffee Mug', displayedQuantity: 12, anchorTag: 'TD' },
      { key: '8123456784', externalId: '8123456784', title: 'Insulated Steel Bottle 750 ml', displayedQuantity: 55, anchorTag: 'TD' },
      { key: '8123456790', externalId: '8123456790', title: 'Gift wrapping', anchorTag: 'TD' },
    ]);
  });

  it('uses different hash suffixes across saved pages (only prefixes are matched)', () => {
    expect(readShopifyPage('products')).toContain('Polaris-IndexTable__TableRow_1a85o');
    expect(readShopifyPage('inventory')).toContain('Polaris-IndexTable__TableRow_3kq9d');
    expect(readShopifyPage('productsLegacyLazy')).toContain('Polaris-IndexTable__TableRow_7hx2c');
  });
});

describe('Shopify URLs', () => {
  it.each([
    [shopifyPages.products.url, true],
    [shopifyPages.inventory.url, true],
    [shopifyPages.productsLegacyLazy.url, true],
    ['https://admin.shopify.com/store/onhand-demo/products/inventory?location_id=1', true],
    ['https://onhand-demo.myshopify.com/admin/products', true],
    ['https://admin.shopify.com/store/onhand-demo/products/8123456781', false],
    ['https://admin.shopify.com/store/onhand-demo/orders', false],
    ['https://onhand-demo.myshopify.com/products', false],
    ['https://myshopify.com.evil.example/admin/products', false],
  ])('%s is a listing page: %s', (url, listing) => {
    expect(isShopifyListingPage(new URL(url))).toBe(listing);
  });
});
