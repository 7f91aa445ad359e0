// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parseSavedPage } from '../saved-page-files';
import { etsyAdapter } from './etsy-adapter';
import { isEtsyListingPage } from './etsy-urls';
import { etsyPages, readEtsyPage, type EtsyPageName } from './saved-pages';

const parse = (name: EtsyPageName) => parseSavedPage(readEtsyPage(name));
const summary = (doc: Document) => etsyAdapter.readRows(doc).map(({ anchor, ...row }) => ({ ...row, anchorClass: anchor.className }));

describe('Etsy listings manager (saved pages)', () => {
  it('reads listing id, SKU, title and "N in stock"; skips the "Add a listing" tile', () => {
    expect(summary(parse('listings'))).toEqual([
      { key: '1500000001', externalId: '1500000001', channelSku: 'DEMO-MUG-11OZ', title: 'Stoneware coffee mug, 11 oz', displayedQuantity: 12, anchorClass: 'card-body' },
      { key: '1500000002', externalId: '1500000002', channelSku: 'DEMO-CANDLE-LAV', title: 'Soy candle, lavender', anchorClass: 'card-body' }, // "Varies"
      { key: '1500000003', externalId: '1500000003', channelSku: 'DEMO-BOTTLE-750', title: 'Insulated steel bottle 750 ml', displayedQuantity: 55, anchorClass: 'card-body' },
      { key: '1500000009', externalId: '1500000009', title: 'Hand-stamped bookmark (no SKU)', displayedQuantity: 4, anchorClass: 'card-body' },
    ]);
  });

  it('reads cards that arrive late, then the next page that replaces them', () => {
    const doc = parse('lateAndPaged');
    expect(etsyAdapter.readRows(doc)).toEqual([]);
    const grid = doc.getElementById('grid');
    const page = (id: string) => (doc.getElementById(id) as HTMLTemplateElement).content.cloneNode(true);
    grid?.replaceChildren(page('page-2'));
    expect(etsyAdapter.readRows(doc).map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['1500000004', 'DEMO-TEE-M-BLK', 3],
      ['1500000001', 'DEMO-MUG-11OZ', 9],
    ]);
    grid?.replaceChildren(page('page-3'));
    expect(etsyAdapter.readRows(doc).map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['1500000003', 'DEMO-BOTTLE-750', 55],
      ['1500000008', 'LEGACY-ETSY-WREATH', 1],
    ]);
  });
});

describe('Etsy listing cards, as other links name the shop', () => {
  it('reads the listing id from an editor link that names the shop instead of "me"', () => {
    const doc = parse('listings');
    for (const link of doc.querySelectorAll('a[href*="/listing-editor/edit/"]')) {
      link.setAttribute('href', (link.getAttribute('href') ?? '').replace('/your/shops/me/', '/your/shops/OnhandDemoShop/'));
    }
    expect(etsyAdapter.readRows(doc).map((r) => r.key)).toEqual(['1500000001', '1500000002', '1500000003', '1500000009']);
  });
});

describe('Etsy URLs', () => {
  it.each([
    [etsyPages.listings.url, true],
    [etsyPages.lateAndPaged.url, true],
    ['https://www.etsy.com/your/shops/me/tools/listings/state:draft', true],
    ['https://www.etsy.com/your/shops/OnhandDemoShop/tools/listings/page:2', true],
    ['https://www.etsy.com/your/shops/me/tools/listings-export', false],
    ['https://www.etsy.com/your/orders/sold', false],
    ['https://www.etsy.com/listing/1500000001/mug', false],
    ['https://etsy.com.evil.example/your/shops/me/tools/listings', false],
  ])('%s is a listing page: %s', (url, listing) => {
    expect(isEtsyListingPage(new URL(url))).toBe(listing);
  });
});
