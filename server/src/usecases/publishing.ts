import type { Transaction } from 'kysely';
import type { Database } from '../db/database';
import { available } from '../domain/ledger';
import { publishedQuantity } from '../domain/publishing';
import { balanceKeyString, balancesForSkus, type BalanceRow } from '../db/repositories/balances';
import { lockPublishingInputs, upsertDesired } from '../db/repositories/pushes';

/**
 * Recomputes, inside the transaction that changed stock (or a listing, its
 * rules, its channel's sources), the quantity onhand publishes for every
 * listing that depends on it, and queues the changed ones in the outbox.
 * load → decide → write in three statements: lock the listings with their
 * rules, read the stock, write the outbox rows and their events.
 */
export async function republish(
  trx: Transaction<Database>,
  tenantId: string,
  scope: { skus?: readonly string[]; listingIds?: readonly string[] },
  /** Balances the caller holds locked, every source's for each of their SKUs (as they are now, in this transaction). */
  lockedAllSources?: ReadonlyMap<string, BalanceRow>,
): Promise<void> {
  const listings = await lockPublishingInputs(trx, tenantId, scope);
  if (listings.length === 0) return;
  const stockSkus = [...new Set(listings.flatMap((l) => (l.isBundle ? l.components.map((c) => c.sku) : [l.sku])))];
  const knownSkus = new Set([...(lockedAllSources?.values() ?? [])].map((b) => b.sku));
  // The stock is already in hand when the caller holds it all (an order's
  // routing locks every source of its SKUs): one round trip less in the lock.
  const balances =
    lockedAllSources && stockSkus.every((sku) => knownSkus.has(sku))
      ? [...lockedAllSources.values()].filter((b) => stockSkus.includes(b.sku))
      : await balancesForSkus(trx, tenantId, stockSkus);
  const sourceIds = [...new Set(balances.map((b) => b.sourceId))];
  const byKey = new Map(balances.map((b) => [balanceKeyString(b), b]));
  const availableBySource = (sku: string) =>
    new Map(sourceIds.map((sourceId) => [sourceId, available(byKey.get(balanceKeyString({ sourceId, sku })) ?? { onHand: 0, committed: 0 })]));
  const desired = listings.flatMap((listing) => {
    const parts = listing.isBundle
      ? listing.components.map((c) => ({ perUnit: c.quantity, availableBySource: availableBySource(c.sku) }))
      : [{ perUnit: 1, availableBySource: availableBySource(listing.sku) }];
    const quantity = publishedQuantity({ fulfilledBy: 'merchant', parts, channelSourceIds: listing.channelSourceIds, rules: listing.rules });
    return quantity === null ? [] : [{ listingId: listing.listingId, sku: listing.sku, quantity }];
  });
  await upsertDesired(trx, tenantId, desired);
}
