import type { SellerFixture } from './harness';

/** A seller with an eBay channel fed by the given sources and one tracked listing per SKU. */
export async function sellerWithChannel(
  seller: SellerFixture,
  options: { sourceIds: string[]; skus: string[]; fulfilledBy?: 'merchant' | 'marketplace'; status?: 'tracked' | 'untracked' },
) {
  const channel = await seller.api.channels.create({ marketplace: 'ebay', region: 'US', name: `eBay ${options.skus.join(',')}`, sourceIds: options.sourceIds });
  const listings: Record<string, string> = {};
  for (const sku of options.skus) {
    await seller.api.products.upsert({ sku, title: `Product ${sku}`, idempotencyKey: `p-${sku}` });
    const listing = await seller.api.listings.upsert({
      channelId: channel.channelId,
      sku,
      channelSku: `EBAY-${sku}`,
      externalId: `item-${sku}`,
      fulfilledBy: options.fulfilledBy ?? 'merchant',
      status: options.status ?? 'tracked',
      idempotencyKey: `l-${sku}`,
    });
    listings[sku] = listing.listingId;
  }
  return { channelId: channel.channelId, listings };
}

let orderNumber = 0;

export function order(channelId: string, lines: { sku: string; quantity: number }[], country = 'US') {
  orderNumber += 1;
  return {
    channelId,
    externalOrderId: `ORDER-${orderNumber}`,
    placedAt: '2026-11-20T10:00:00Z',
    shipTo: { country },
    lines: lines.map((l, i) => ({ externalLineId: `${i + 1}`, channelSku: `EBAY-${l.sku}`, quantity: l.quantity })),
  };
}

export async function stockOf(seller: SellerFixture, sku: string) {
  const { items } = await seller.api.inventory.bySkus({ skus: [sku] });
  const bySource = (id: string) => items[0]?.sources.find((s) => s.sourceId === id);
  return { MF: bySource(seller.sources.MF), FBA: bySource(seller.sources.FBA), Deliverr: bySource(seller.sources.Deliverr) };
}
