// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parseSavedPage } from '../saved-page-files';
import { readWalmartPage, walmartPages, type WalmartPageName } from './saved-pages';
import { walmartAdapter } from './walmart-adapter';
import { isWalmartListingPage, walmartRegionOf } from './walmart-urls';

const parse = (name: WalmartPageName) => parseSavedPage(readWalmartPage(name));
const summary = (doc: Document) => walmartAdapter.readRows(doc).map(({ anchor, ...row }) => ({ ...row, anchorText: anchor.textContent }));

describe('Walmart manage items (saved pages)', () => {
  it('finds SKU, Item ID, Inventory and Item Name columns by header text; skips the group row', () => {
    expect(summary(parse('manageItems'))).toEqual([
      { key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: '5512340001', title: 'Stoneware Coffee Mug, 11 oz', displayedQuantity: 12, anchorText: 'DEMO-MUG-11OZ' },
      { key: 'DEMO-CANDLE-LAV', channelSku: 'DEMO-CANDLE-LAV', externalId: '5512340002', title: 'Soy Wax Candle, Lavender', displayedQuantity: 0, anchorText: 'DEMO-CANDLE-LAV' },
      {
        key: '<img src=x onerror=alert(1)>',
        channelSku: '<img src=x onerror=alert(1)>',
        externalId: '5512340009',
        title: 'Mystery Item <img src=x onerror=alert(1)>',
        displayedQuantity: 1,
        anchorText: '<img src=x onerror=alert(1)>',
      },
    ]);
  });

  it('reads an ARIA grid with columns in another order once its late rows arrive; skips loading and footer rows', () => {
    const doc = parse('gridLateRows');
    expect(walmartAdapter.readRows(doc)).toEqual([]);
    // What the page's script does after its XHR (scripts do not run here).
    const items = doc.getElementById('items') as HTMLTemplateElement;
    doc.getElementById('grid-body')?.replaceChildren(items.content.cloneNode(true));
    expect(summary(doc)).toEqual([
      { key: 'DEMO-BOTTLE-750', channelSku: 'DEMO-BOTTLE-750', externalId: '5512340003', title: 'Insulated Steel Bottle, 750 ml', displayedQuantity: 55, anchorText: 'DEMO-BOTTLE-750' },
      { key: 'DEMO-TEE-M-BLK', channelSku: 'DEMO-TEE-M-BLK', externalId: '5512340004', title: 'Organic Cotton T-Shirt, M, Black', displayedQuantity: 3, anchorText: 'DEMO-TEE-M-BLK' },
      { key: 'LEGACY-WM-BOARD', channelSku: 'LEGACY-WM-BOARD', externalId: '5512340005', title: 'Walnut Cutting Board', displayedQuantity: 6, anchorText: 'LEGACY-WM-BOARD' },
    ]);
  });

  it('finds columns whose header also holds a sort button’s hidden words, and reads the rows a sort re-renders', () => {
    const doc = parse('sorted');
    const read = () => walmartAdapter.readRows(doc).map((r) => [r.key, r.externalId, r.title, r.displayedQuantity]);
    expect(read()).toEqual([
      ['DEMO-MUG-11OZ', '5512340001', 'Stoneware Coffee Mug, 11 oz', 9],
      ['DEMO-CANDLE-LAV', '5512340002', 'Soy Wax Candle, Lavender', 14],
      ['LEGACY-WM-LAMP', '5512340010', 'Brass Desk Lamp', 2],
    ]);
    // What the sort button does (scripts do not run here): new row elements, another order.
    const body = doc.getElementById('items');
    const copies = [...(body?.children ?? [])].map((row) => row.cloneNode(true) as Element).reverse();
    body?.replaceChildren(...copies);
    expect(read().map(([key]) => key)).toEqual(['LEGACY-WM-LAMP', 'DEMO-CANDLE-LAV', 'DEMO-MUG-11OZ']);
    expect(walmartAdapter.readRows(doc).every((r) => copies.some((copy) => copy.contains(r.anchor)))).toBe(true);
  });

  it('ignores tables without a SKU or Item ID column', () => {
    const doc = parseSavedPage('<table><thead><tr><th>Order</th><th>Inventory</th></tr></thead><tbody><tr><td>1</td><td>3</td></tr></tbody></table>');
    expect(walmartAdapter.readRows(doc)).toEqual([]);
  });
});

describe('Walmart URLs', () => {
  it.each([
    [walmartPages.manageItems.url, true],
    [walmartPages.gridLateRows.url, true],
    ['https://seller.walmart.com/items-and-inventory/manage-items/', true],
    ['https://seller.walmart.com/orders/manage-orders', false],
    ['https://seller.walmart.com.evil.example/items-and-inventory/manage-items', false],
  ])('%s is a listing page: %s', (url, listing) => {
    expect(isWalmartListingPage(new URL(url))).toBe(listing);
  });

  it('is the US marketplace', () => {
    expect(walmartRegionOf(new URL(walmartPages.manageItems.url))).toBe('US');
  });
});
