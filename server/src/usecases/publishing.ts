import type { Transaction } from 'kysely';
import type { Database } from '../db/database';
import { available } from '../domain/ledger';
import { publishedQuantity } from '../domain/publishing';
import { balanceKeyString, balancesForSkus } from '../db/repositories/balances';
import { insertEvents } from '../db/repositories/events';
import { findComponents, findProducts } from '../db/repositories/products';
import { lockListingsById, lockListingsDependingOn, upsertDesired, type PublishedListing } from '../db/repositories/pushes';
import { listSources } from '../db/repositories/sources';

/**
 * Recomputes, inside the transaction that changed stock (or a listing, its
 * rules, its channel's sources), the quantity onhand publishes for every
 * listing that depends on it, and queues the changed ones in the outbox.
 * load → decide → write: listings are locked first (id order), then stock is
 * read, the domain decides, and the outbox rows and their events are written.
 */
export async function republish(trx: Transaction<Database>, tenantId: string, scope: { skus?: readonly string[]; listingIds?: readonly string[] }): Promise<void> {
  const listings = scope.listingIds ? await lockListingsById(trx, tenantId, scope.listingIds) : await lockListingsDependingOn(trx, tenantId, scope.skus ?? []);
  if (listings.length === 0) return;
  const desired = await computeDesired(trx, tenantId, listings);
  const changed = await upsertDesired(trx, tenantId, desired);
  await insertEvents(
    trx,
    tenantId,
    changed.map((c) => ({ kind: 'push', payload: { listingId: c.listingId, sku: listings.find((l) => l.listingId === c.listingId)?.sku, desired: c.desired, state: 'pending' } })),
  );
}

async function computeDesired(trx: Transaction<Database>, tenantId: string, listings: readonly PublishedListing[]): Promise<{ listingId: string; quantity: number }[]> {
  const productSkus = [...new Set(listings.map((l) => l.sku))];
  const [products, components, sources, channelSources] = await Promise.all([
    findProducts(trx, tenantId, productSkus),
    findComponents(trx, tenantId, productSkus),
    listSources(trx, tenantId),
    trx
      .selectFrom('channel_sources')
      .select(['channel_id', 'source_id'])
      .where('tenant_id', '=', tenantId)
      .where('channel_id', 'in', [...new Set(listings.map((l) => l.channelId))])
      .orderBy('position')
      .execute(),
  ]);
  const stockSkus = [...new Set([...products.filter((p) => !p.isBundle).map((p) => p.sku), ...components.map((c) => c.component_sku)])];
  const balances = new Map((await balancesForSkus(trx, tenantId, stockSkus)).map((b) => [balanceKeyString(b), b]));
  const availableBySource = (sku: string) =>
    new Map(sources.map((s) => [s.sourceId, available(balances.get(balanceKeyString({ sourceId: s.sourceId, sku })) ?? { onHand: 0, committed: 0 })]));
  return listings.flatMap((listing) => {
    const product = products.find((p) => p.sku === listing.sku);
    if (!product) return [];
    const parts = product.isBundle
      ? components.filter((c) => c.bundle_sku === product.sku).map((c) => ({ perUnit: c.quantity, availableBySource: availableBySource(c.component_sku) }))
      : [{ perUnit: 1, availableBySource: availableBySource(product.sku) }];
    const quantity = publishedQuantity({
      fulfilledBy: 'merchant',
      parts,
      channelSourceIds: channelSources.filter((c) => c.channel_id === listing.channelId).map((c) => c.source_id),
      rules: listing.rules,
    });
    return quantity === null ? [] : [{ listingId: listing.listingId, quantity }];
  });
}
