import type { Page } from 'puppeteer-core';
import { amazonFixtures, readAmazonFixture } from '../../extension/portals/amazon/fixture-pages';
import { ebayPages, readEbayPage } from '../../extension/portals/ebay/saved-pages';
import { etsyPages, readEtsyPage } from '../../extension/portals/etsy/saved-pages';
import { readShopifyPage, shopifyPages } from '../../extension/portals/shopify/saved-pages';
import { readWalmartPage, walmartPages } from '../../extension/portals/walmart/saved-pages';

/** Row key → the demo SKU the server tracks for it, or null for a listing onhand does not manage. */
export type ExpectedRows = Record<string, string | null>;

export interface SavedPageCase {
  portal: string;
  name: string;
  url: string;
  html: string;
  /** Every listing row of the page: exactly these get badges. */
  rows: ExpectedRows;
  /** A second state of the page (pagination) reached by clicking `click`, with its rows. */
  then?: { click: string; rows: ExpectedRows };
  /** A row whose page quantity differs from what onhand publishes (drift). */
  drifting?: string;
  /** Something that must never carry a badge (header, spacer, totals). */
  noBadgeIn?: string;
}

const MUG = 'DEMO-MUG-11OZ';
const TEE = 'DEMO-TEE-M-BLK';
const CANDLE = 'DEMO-CANDLE-LAV';
const BOTTLE = 'DEMO-BOTTLE-750';

/**
 * Every saved page of every portal, with what the end-to-end suite expects
 * on it against the demo tenant (each demo product is listed on each
 * marketplace; the other rows are listings onhand does not know yet).
 */
export const savedPageCases: SavedPageCase[] = [
  { portal: 'amazon', name: 'manageInventory', ...amazon('manageInventory'), rows: { [MUG]: MUG, [TEE]: TEE, [CANDLE]: CANDLE, [BOTTLE]: BOTTLE, 'LEGACY-UNTRACKED-1': null }, drifting: MUG, noBadgeIn: '[data-testid="table-summary"]' },
  { portal: 'amazon', name: 'manageInventoryLateRows', ...amazon('manageInventoryLateRows'), rows: { [MUG]: MUG, [TEE]: TEE, [CANDLE]: CANDLE, [BOTTLE]: BOTTLE, 'LEGACY-UNTRACKED-1': null } },
  {
    portal: 'amazon',
    name: 'manageInventoryKatal',
    ...amazon('manageInventoryKatal'),
    rows: { [MUG]: MUG, [TEE]: TEE, 'LEGACY-KATAL-1': null },
    drifting: MUG,
    noBadgeIn: 'kat-table-head',
    then: { click: '#next-page', rows: { [CANDLE]: CANDLE, [BOTTLE]: BOTTLE } },
  },
  { portal: 'amazon', name: 'classicInventory', ...amazon('classicInventory'), rows: { [MUG]: MUG, [CANDLE]: CANDLE, 'LEGACY-UNTRACKED-1': null }, noBadgeIn: 'tr.mt-row-spacer' },
  {
    portal: 'amazon',
    name: 'classicInventoryPaged',
    ...amazon('classicInventoryPaged'),
    rows: { [MUG]: MUG, 'LEGACY-DE-7': null },
    drifting: MUG,
    noBadgeIn: 'thead',
    then: { click: '#next-page', rows: { [TEE]: TEE, [BOTTLE]: BOTTLE } },
  },
  { portal: 'amazon', name: 'fbaInventory', ...amazon('fbaInventory'), rows: { [CANDLE]: CANDLE, [MUG]: MUG, 'FBA-ONLY-UNTRACKED': null } },
  { portal: 'amazon', name: 'fbaInventoryAriaLate', ...amazon('fbaInventoryAriaLate'), rows: { [TEE]: TEE, [BOTTLE]: BOTTLE } },
  { portal: 'ebay', name: 'activeGrid', ...ebay('activeGrid'), rows: { '394857261001': MUG, '394857261002': TEE, '394857261003': BOTTLE, '394857261004': null }, drifting: '394857261001', noBadgeIn: 'thead' },
  { portal: 'ebay', name: 'tbodyPerListing', ...ebay('tbodyPerListing'), rows: { '284711900101': CANDLE, '284711900102': MUG, '284711900103': null }, noBadgeIn: 'tr.grid-row-spacer' },
  {
    portal: 'ebay',
    name: 'paginationSwap',
    ...ebay('paginationSwap'),
    rows: { '175500000001': MUG, '175500000002': BOTTLE },
    then: { click: '#next-page', rows: { '175500000003': CANDLE, '175500000004': TEE } },
  },
  {
    portal: 'ebay',
    name: 'lazyRerender',
    ...ebay('lazyRerender'),
    rows: { '385123456701': MUG, '385123456702': TEE, '385123456704': BOTTLE, '385123456799': null },
    drifting: '385123456701',
    noBadgeIn: 'thead',
  },
  { portal: 'walmart', name: 'manageItems', ...walmart('manageItems'), rows: { [MUG]: MUG, [CANDLE]: CANDLE, '<img src=x onerror=alert(1)>': null }, drifting: MUG, noBadgeIn: 'thead' },
  {
    portal: 'walmart',
    name: 'sorted',
    ...walmart('sorted'),
    rows: { [MUG]: MUG, [CANDLE]: CANDLE, 'LEGACY-WM-LAMP': null },
    drifting: MUG,
    noBadgeIn: 'thead',
    then: { click: '#sort-sku', rows: { [MUG]: MUG, [CANDLE]: CANDLE, 'LEGACY-WM-LAMP': null } },
  },
  { portal: 'walmart', name: 'gridLateRows', ...walmart('gridLateRows'), rows: { [BOTTLE]: BOTTLE, [TEE]: TEE, 'LEGACY-WM-BOARD': null } },
  { portal: 'shopify', name: 'products', ...shopify('products'), rows: { '8123456781': MUG, '8123456782': TEE, '8123456783': CANDLE, '8123456789': null }, drifting: '8123456781', noBadgeIn: 'thead' },
  { portal: 'shopify', name: 'inventory', ...shopify('inventory'), rows: { '45000000000011': MUG, '45000000000021': TEE, '45000000000041': BOTTLE, '45000000000091': null } },
  {
    portal: 'shopify',
    name: 'productsLegacyLazy',
    ...shopify('productsLegacyLazy'),
    rows: { '8123456781': MUG, '8123456784': BOTTLE, '8123456790': null },
    drifting: '8123456781',
    noBadgeIn: 'thead',
  },
  { portal: 'shopify', name: 'productsNarrow', ...shopify('productsNarrow'), rows: { '8123456781': MUG, '8123456782': TEE, '8123456784': BOTTLE } },
  { portal: 'etsy', name: 'listings', ...etsy('listings'), rows: { '1500000001': MUG, '1500000002': CANDLE, '1500000003': BOTTLE, '1500000009': null }, drifting: '1500000001' },
  {
    portal: 'etsy',
    name: 'lateAndPaged',
    ...etsy('lateAndPaged'),
    rows: { '1500000004': TEE, '1500000001': MUG },
    then: { click: '#next-page', rows: { '1500000003': BOTTLE, '1500000008': null } },
  },
];

function amazon(name: keyof typeof amazonFixtures) {
  return { url: amazonFixtures[name].url, html: readAmazonFixture(name) };
}
function ebay(name: keyof typeof ebayPages) {
  return { url: ebayPages[name].url, html: readEbayPage(name) };
}
function walmart(name: keyof typeof walmartPages) {
  return { url: walmartPages[name].url, html: readWalmartPage(name) };
}
function shopify(name: keyof typeof shopifyPages) {
  return { url: shopifyPages[name].url, html: readShopifyPage(name) };
}
function etsy(name: keyof typeof etsyPages) {
  return { url: etsyPages[name].url, html: readEtsyPage(name) };
}

/** Clicks an element of the page itself (not of the overlay). */
export async function clickPage(page: Page, selector: string): Promise<void> {
  await page.$eval(selector, (el) => (el as HTMLElement).click());
}
