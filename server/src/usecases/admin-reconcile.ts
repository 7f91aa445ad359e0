import type { PublishingMismatch } from '@onhand/shared';
import type { Db } from '../db/database';
import { listingSkus, publishedListingIdsPage, recordedDesired, tenantIds } from '../db/repositories/admin-ops';
import { republish } from './publishing';
import { inTransaction } from './transaction';

const pageSize = 500;

/** Thrown to roll back a check-only pass after it has looked at what republishing would change. */
class CheckOnly extends Error {
  constructor(readonly mismatches: PublishingMismatch[]) {
    super('check only');
  }
}

/**
 * Checks every published listing's recorded quantity (`listing_pushes.desired`)
 * against the rules. The fresh quantity comes from `republish` itself, the one
 * code path that computes and records published quantities, run inside a
 * transaction: whatever it changed is a mismatch. Without `repair` that
 * transaction is rolled back; with it, it commits, which queues the corrected
 * quantities for the marketplaces (a new outbox version). The ledger is never
 * touched.
 */
export async function reconcilePublishing(
  db: Db,
  options: { tenantId?: string | undefined; repair: boolean },
): Promise<{ checked: number; mismatches: PublishingMismatch[]; repaired: number }> {
  const tenants = options.tenantId !== undefined ? [options.tenantId] : await tenantIds(db);
  let checked = 0;
  let repaired = 0;
  const mismatches: PublishingMismatch[] = [];
  for (const tenantId of tenants) {
    let afterId: string | undefined;
    for (;;) {
      const listingIds = await publishedListingIdsPage(db, tenantId, afterId, pageSize);
      if (listingIds.length === 0) break;
      afterId = listingIds.at(-1);
      checked += listingIds.length;
      const found = await checkPage(db, tenantId, listingIds, options.repair);
      mismatches.push(...found);
      if (options.repair) repaired += found.length;
      if (listingIds.length < pageSize) break;
    }
  }
  return { checked, mismatches, repaired };
}

async function checkPage(db: Db, tenantId: string, listingIds: readonly string[], repair: boolean): Promise<PublishingMismatch[]> {
  try {
    return await inTransaction(db, async (trx) => {
      const before = await recordedDesired(trx, tenantId, listingIds);
      await republish(trx, tenantId, { listingIds });
      const after = await recordedDesired(trx, tenantId, listingIds);
      const changed = listingIds.filter((id) => after.has(id) && after.get(id) !== before.get(id));
      const skus = await listingSkus(trx, tenantId, changed);
      const found = changed.map((listingId) => ({ tenantId, listingId, sku: skus.get(listingId) ?? '', recorded: before.get(listingId) ?? null, expected: after.get(listingId)! }));
      if (!repair) throw new CheckOnly(found);
      return found;
    });
  } catch (error) {
    if (error instanceof CheckOnly) return error.mismatches;
    throw error;
  }
}
