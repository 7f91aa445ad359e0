import type { Api } from './harness';

/**
 * One valid input per procedure, with ids of rows that exist, so that a
 * single hostile change to it reaches past the first check and into the
 * use-case. A procedure that takes input and has no example here fails the
 * fuzz suite: add one when adding a procedure.
 */
export interface FuzzFixture {
  seller: { tenantId: string; token: string };
  adminToken: string;
  sources: { MF: string; FBA: string; Deliverr: string };
  channelId: string;
  listingId: string;
  untrackedListingId: string;
  orderId: string;
  lineId: string;
  /** A tenant and token the admin examples may suspend and revoke without locking the fuzzed seller out. */
  spare: { tenantId: string; tokenId: string };
}

/** A seller with sources, products, a channel with listings and an order, through the API itself. */
export async function buildFuzzFixture(admin: Api, adminToken: string, apiAs: (token: string) => Api): Promise<FuzzFixture> {
  const { tenantId } = await admin.admin.tenants.create({ name: 'Fuzzed seller' });
  const { token } = await admin.admin.tokens.issue({ tenantId, role: 'seller', label: 'fuzz' });
  const spareTenant = await admin.admin.tenants.create({ name: 'Spare tenant' });
  const spareToken = await admin.admin.tokens.issue({ tenantId: spareTenant.tenantId, role: 'seller', label: 'spare' });
  const seller = apiAs(token);
  const MF = (await seller.sources.create({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'src-mf' })).sourceId;
  const FBA = (await seller.sources.create({ name: 'FBA', kind: 'fba', autoFulfill: true, shipsTo: ['US'], idempotencyKey: 'src-fba' })).sourceId;
  const Deliverr = (await seller.sources.create({ name: 'Deliverr', kind: 'deliverr', idempotencyKey: 'src-deliverr' })).sourceId;
  for (const sku of ['FZ-1', 'FZ-2']) await seller.products.upsert({ sku, title: `Product ${sku}`, idempotencyKey: `p-${sku}` });
  await seller.inventory.setQuantity({ sku: 'FZ-1', sourceId: MF, onHand: 10, idempotencyKey: 'mf-10' });
  const channel = await seller.channels.create({ marketplace: 'ebay', region: 'US', name: 'eBay', sourceIds: [MF, FBA] });
  const listing = await seller.listings.upsert({
    channelId: channel.channelId,
    sku: 'FZ-1',
    channelSku: 'EBAY-FZ-1',
    externalId: 'item-FZ-1',
    fulfilledBy: 'merchant',
    status: 'tracked',
    idempotencyKey: 'l-fz-1',
  });
  const untracked = await seller.listings.upsert({
    channelId: channel.channelId,
    sku: 'FZ-2',
    channelSku: 'EBAY-FZ-2',
    fulfilledBy: 'merchant',
    status: 'untracked',
    idempotencyKey: 'l-fz-2',
  });
  const placed = await seller.orders.ingest({
    channelId: channel.channelId,
    externalOrderId: 'FZ-ORDER-1',
    placedAt: '2026-11-20T10:00:00Z',
    shipTo: { country: 'US' },
    lines: [{ externalLineId: '1', channelSku: 'EBAY-FZ-1', quantity: 1 }],
  });
  return {
    seller: { tenantId, token },
    adminToken,
    sources: { MF, FBA, Deliverr },
    channelId: channel.channelId,
    listingId: listing.listingId,
    untrackedListingId: untracked.listingId,
    orderId: placed.orderId,
    lineId: placed.lines[0]!.lineId,
    spare: { tenantId: spareTenant.tenantId, tokenId: spareToken.tokenId },
  };
}

export function validExamples(f: FuzzFixture): Record<string, unknown> {
  const { MF, FBA, Deliverr } = f.sources;
  return {
    'changes.subscribe': { lastEventId: '1' },
    'health.check': {},
    'inventory.bySkus': { skus: ['FZ-1', 'FZ-2'] },
    'inventory.setQuantity': { sku: 'FZ-1', sourceId: MF, onHand: 5, idempotencyKey: 'fz-set', note: 'counted' },
    'inventory.setQuantities': { sourceId: MF, rows: [{ sku: 'FZ-1', onHand: 6, note: 'shelf A' }, { sku: 'FZ-3', onHand: 2, title: 'New product' }], idempotencyKey: 'fz-sets' },
    'inventory.adjust': { sku: 'FZ-1', sourceId: MF, delta: 2, reason: 'received', idempotencyKey: 'fz-adjust', note: 'PO 7' },
    'inventory.history': { sku: 'FZ-1', sourceId: MF, limit: 10 },
    'sources.list': {},
    'sources.create': { name: 'Spare 3PL', kind: '3pl', autoFulfill: false, shipsTo: ['US', 'CA'], priority: 5, isDefault: false, idempotencyKey: 'fz-source' },
    'sources.update': { sourceId: Deliverr, name: 'Deliverr', autoFulfill: false, shipsTo: ['US'], priority: 3, idempotencyKey: 'fz-source-update' },
    'products.upsert': { sku: 'FZ-B', title: 'Bundle', components: [{ sku: 'FZ-1', quantity: 2 }], idempotencyKey: 'fz-product' },
    'products.search': { query: 'FZ', limit: 10 },
    'channels.list': {},
    'channels.create': { marketplace: 'walmart', region: 'US', name: 'Walmart', sourceIds: [MF], idempotencyKey: 'fz-channel' },
    'channels.update': { channelId: f.channelId, sourceIds: [MF, FBA], idempotencyKey: 'fz-channel-update' },
    'listings.upsert': {
      channelId: f.channelId,
      sku: 'FZ-1',
      channelSku: 'EBAY-FZ-1B',
      externalId: 'item-FZ-1B',
      title: 'Second listing',
      fulfilledBy: 'merchant',
      status: 'tracked',
      idempotencyKey: 'fz-listing',
    },
    'listings.lookup': {
      channelId: f.channelId,
      marketplace: 'ebay',
      region: 'US',
      rows: [
        { key: 'r1', channelSku: 'EBAY-FZ-1', externalId: 'item-FZ-1', displayedQuantity: 3 },
        { key: 'r2', externalId: 'item-unknown' },
      ],
    },
    'listings.reportSeen': { marketplace: 'ebay', region: 'US', rows: [{ channelSku: 'EBAY-NEW', externalId: 'item-new', title: 'Seen on the page', displayedQuantity: 1 }] },
    'listings.import': { listingId: f.untrackedListingId, sku: 'FZ-2', title: 'Imported', idempotencyKey: 'fz-import' },
    'listings.setRules': { listingId: f.listingId, percent: 50, buffer: 1, max: 100, idempotencyKey: 'fz-rules' },
    'orders.ingest': {
      channelId: f.channelId,
      externalOrderId: 'FZ-ORDER-2',
      placedAt: '2026-11-21T10:00:00+01:00',
      shipTo: { country: 'US' },
      lines: [{ externalLineId: '1', channelSku: 'EBAY-FZ-1', quantity: 1 }],
      idempotencyKey: 'fz-order',
    },
    'orders.cancel': { channelId: f.channelId, externalOrderId: 'FZ-ORDER-1', lineIds: [f.lineId], idempotencyKey: 'fz-cancel' },
    'orders.sendToFulfillmentCenter': { orderId: f.orderId, lineIds: [f.lineId], sourceId: FBA, idempotencyKey: 'fz-send' },
    'orders.markShipped': { orderId: f.orderId, lineIds: [f.lineId], idempotencyKey: 'fz-ship' },
    'orders.rematch': { orderId: f.orderId, idempotencyKey: 'fz-rematch' },
    'orders.get': { orderId: f.orderId },
    'orders.list': { status: 'open', limit: 10 },
    'settings.get': {},
    'settings.update': { inventoryManagedElsewhere: false, notCountedAfterDays: 30, idempotencyKey: 'fz-settings' },
    'negatives.list': {},
    'negatives.explain': { sku: 'FZ-1', sourceId: MF },
    'admin.tenants.create': { name: 'Fuzzed tenant' },
    'admin.tenants.suspend': { tenantId: f.spare.tenantId },
    'admin.tenants.resume': { tenantId: f.spare.tenantId },
    'admin.tokens.issue': { tenantId: f.spare.tenantId, role: 'seller', label: 'fuzz' },
    'admin.tokens.list': { tenantId: f.spare.tenantId },
    'admin.tokens.revoke': { tokenId: f.spare.tokenId },
    'admin.reconcile': { tenantId: f.seller.tenantId, repair: false },
    'admin.metrics': {},
    'search.catalog': { query: 'FZ', limit: 5 },
    'search.attention': {},
  };
}
