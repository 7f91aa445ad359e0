// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parseSavedPage } from '../saved-page-files';
import { ebayAdapter } from './ebay-adapter';
import { ebayRegionOf, isEbayListingPage } from './ebay-urls';
import { ebayPages, readEbayPage, type EbayPageName } from './saved-pages';

const parse = (name: EbayPageName) => parseSavedPage(readEbayPage(name));
const summary = (doc: Document) =>
  ebayAdapter.readRows(doc).map(({ anchor, ...row }) => ({ ...row, anchorClass: anchor.className }));

describe('eBay active listings (saved pages)', () => {
  it('reads item id, custom label, title and quantity; a variation listing has no quantity; the loading row is skipped', () => {
    expect(summary(parse('activeGrid'))).toEqual([
      { key: '394857261001', externalId: '394857261001', channelSku: 'DEMO-MUG-11OZ', title: 'Stoneware Coffee Mug 11 oz Speckled White', displayedQuantity: 12, anchorClass: 'shui-dt-column__title' },
      { key: '394857261002', externalId: '394857261002', channelSku: 'DEMO-TEE-M-BLK', title: 'Organic Cotton T-Shirt (S–XL, 3 colours)', anchorClass: 'shui-dt-column__title' },
      { key: '394857261003', externalId: '394857261003', channelSku: 'DEMO-BOTTLE-750', title: 'Insulated Steel Bottle 750 ml', displayedQuantity: 1055, anchorClass: 'shui-dt-column__title' },
      // "--" is eBay's empty custom label: the item id alone names the row.
      { key: '394857261004', externalId: '394857261004', title: 'Vintage Enamel Pin Set (no custom label)', displayedQuantity: 2, anchorClass: 'shui-dt-column__title' },
    ]);
  });

  it('reads the one-tbody-per-listing layout without badging details or spacer rows', () => {
    const doc = parse('tbodyPerListing');
    const rows = ebayAdapter.readRows(doc);
    expect(rows.map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['284711900101', 'DEMO-CANDLE-LAV', 14],
      ['284711900102', 'DEMO-MUG-11OZ', 9],
      ['284711900103', 'LEGACY-EBAY-TIN', 4],
    ]);
    expect(rows.every((r) => r.anchor.closest('tr')?.hasAttribute('data-id'))).toBe(true);
    expect(doc.querySelectorAll('tbody tr').length).toBe(8);
  });

  it('follows pagination that swaps the same rows in place (German thousands separator)', () => {
    const doc = parse('paginationSwap');
    expect(ebayAdapter.readRows(doc).map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['175500000001', 'DEMO-MUG-11OZ', 12],
      ['175500000002', 'DEMO-BOTTLE-750', 1055],
    ]);
    // What the page's "next" button does (scripts do not run here).
    const rows = doc.querySelectorAll('#rows tr.grid-row');
    const page2 = [['175500000003', 'DEMO-CANDLE-LAV', '7'], ['175500000004', 'DEMO-TEE-M-BLK', '3']] as const;
    page2.forEach(([id, sku, qty], i) => {
      const row = rows[i];
      row?.setAttribute('data-id', id);
      row?.querySelector('.shui-dt-column__title a')?.setAttribute('href', `https://www.ebay.de/itm/${id}`);
      row!.querySelector('.shui-dt-column__listingSKU')!.textContent = sku;
      row!.querySelector('.shui-dt-column__availableQuantity')!.textContent = qty;
      row!.querySelector('.shui-dt-column__listingId')!.textContent = id;
    });
    expect(ebayAdapter.readRows(doc).map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['175500000003', 'DEMO-CANDLE-LAV', 7],
      ['175500000004', 'DEMO-TEE-M-BLK', 3],
    ]);
  });
});

describe('eBay active listings rendered lazily, then re-rendered (saved page)', () => {
  /** What the page's script does (scripts do not run in these tests). */
  const render = (doc: Document, id: 'batch-1' | 'rerender') => {
    const body = (doc.getElementById(id) as HTMLTemplateElement).content.querySelector('tbody')?.cloneNode(true) as Element;
    doc.getElementById('rows')?.replaceChildren(...body.children);
  };

  it('skips skeleton rows, reads the first batch, then every row of the re-render whatever the column order', () => {
    const doc = parse('lazyRerender');
    expect(ebayAdapter.readRows(doc)).toEqual([]);
    render(doc, 'batch-1');
    expect(ebayAdapter.readRows(doc).map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['385123456701', 'DEMO-MUG-11OZ', 1204], // "1 204": a French Canadian thousands separator
      ['385123456702', 'DEMO-TEE-M-BLK', 3],
    ]);
    render(doc, 'rerender');
    const rows = ebayAdapter.readRows(doc);
    expect(rows.map((r) => [r.key, r.channelSku, r.displayedQuantity])).toEqual([
      ['385123456701', 'DEMO-MUG-11OZ', 1204],
      ['385123456702', 'DEMO-TEE-M-BLK', 3],
      ['385123456704', 'DEMO-BOTTLE-750', 55],
      ['385123456799', 'LEGACY-CAFR-LINGE', undefined], // "Voir 3 variantes": no single quantity
    ]);
    expect(rows.every((r) => r.anchor.classList.contains('shui-dt-column__title'))).toBe(true);
  });

  it('still finds the rows (and where the summary goes) in a table without the grid role', () => {
    const doc = parse('activeGrid');
    const table = doc.querySelector('table[role="grid"]');
    table?.removeAttribute('role');
    expect(ebayAdapter.readRows(doc).map((r) => r.key)).toEqual(['394857261001', '394857261002', '394857261003', '394857261004']);
    expect(ebayAdapter.summaryAnchor?.(doc)).toBe(table);
  });
});

describe('eBay URLs', () => {
  it('knows every saved page as a listing page', () => {
    for (const page of Object.values(ebayPages)) expect(isEbayListingPage(new URL(page.url)), page.url).toBe(true);
  });

  it.each([
    ['https://www.ebay.com/sh/lst/active', true, 'US'],
    ['https://www.ebay.co.uk/sh/lst/active?offset=200', true, 'GB'],
    ['https://www.ebay.com.au/sh/lst/active', true, 'AU'],
    ['https://www.ebay.ch/sh/lst/active', true, 'CH'],
    ['https://www.ebay.pl/sh/lst/active', true, 'PL'],
    ['https://www.befr.ebay.be/sh/lst/active', true, 'BE'],
    ['https://www.cafr.ebay.ca/sh/lst/active', true, 'CA'],
    ['https://www.ebay.com.sg/sh/lst/active', true, 'SG'],
    ['https://www.ebay.com.hk/sh/lst/active', true, 'HK'],
    ['https://www.ebay.com/sh/lst/ended', false, 'US'],
    ['https://www.ebay.com/sh/ovw', false, 'US'],
    ['https://www.ebay.com.evil.example/sh/lst/active', false, undefined],
    ['http://www.ebay.com/sh/lst/active', false, 'US'],
  ])('%s: listing page %s, region %s', (url, listing, region) => {
    expect(isEbayListingPage(new URL(url))).toBe(listing);
    expect(ebayRegionOf(new URL(url))).toBe(region);
  });
});
