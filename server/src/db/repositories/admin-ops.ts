import { sql } from 'kysely';
import type { LedgerEntry } from '@onhand/shared';
import type { DbOrTrx, PushState } from '../database';
import { toLedgerEntry } from './ledger';

/** Sets a tenant's status; false when there is no such tenant. */
export async function setTenantStatus(db: DbOrTrx, tenantId: string, status: 'active' | 'suspended'): Promise<boolean> {
  const result = await db.updateTable('tenants').set({ status }).where('id', '=', tenantId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function tenantIds(db: DbOrTrx): Promise<string[]> {
  const rows = await db.selectFrom('tenants').select('id').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/**
 * One page (keyset on id) of the tenant's listings that onhand publishes a
 * quantity for: tracked and merchant-fulfilled.
 */
export async function publishedListingIdsPage(db: DbOrTrx, tenantId: string, afterId: string | undefined, limit: number): Promise<string[]> {
  let query = db
    .selectFrom('listings')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'tracked')
    .where('fulfilled_by', '=', 'merchant');
  if (afterId !== undefined) query = query.where('id', '>', afterId);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** The recorded published quantity (outbox `desired`) and SKU of each listing that has one. */
export async function recordedDesired(db: DbOrTrx, tenantId: string, listingIds: readonly string[]): Promise<Map<string, number>> {
  if (listingIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('listing_pushes')
    .select(['listing_id', 'desired'])
    .where('tenant_id', '=', tenantId)
    .where('listing_id', 'in', listingIds)
    .execute();
  return new Map(rows.map((r) => [r.listing_id, Number(r.desired)]));
}

export async function listingSkus(db: DbOrTrx, tenantId: string, listingIds: readonly string[]): Promise<Map<string, string>> {
  if (listingIds.length === 0) return new Map();
  const rows = await db.selectFrom('listings').select(['id', 'sku']).where('tenant_id', '=', tenantId).where('id', 'in', listingIds).execute();
  return new Map(rows.map((r) => [r.id, r.sku ?? '']));
}

/** Outbox rows per state, over every tenant. */
export async function outboxBacklog(db: DbOrTrx): Promise<Record<PushState, number>> {
  const rows = await db
    .selectFrom('listing_pushes')
    .select(['state', sql<string>`count(*)::int8`.as('n')])
    .groupBy('state')
    .execute();
  const backlog: Record<PushState, number> = { pending: 0, pushed: 0, acknowledged: 0, failed: 0 };
  for (const r of rows) backlog[r.state] = Number(r.n);
  return backlog;
}

/**
 * One page of a tenant's ledger, oldest first, keyset-paged on the primary
 * key (tenant_id, id) so each page is an index range scan however deep.
 */
export async function ledgerExportPage(
  db: DbOrTrx,
  tenantId: string,
  filter: { afterId: string | undefined; from: Date | undefined; to: Date | undefined; limit: number },
): Promise<{ entries: LedgerEntry[]; lastId: string | undefined }> {
  let query = db
    .selectFrom('ledger_entries')
    .select(['id', 'at', 'source_id', 'sku', 'bucket', 'delta', 'balance_after', 'reason', 'actor', 'order_id', 'order_line_id', 'note'])
    .where('tenant_id', '=', tenantId);
  if (filter.afterId !== undefined) query = query.where('id', '>', sql<string>`${filter.afterId}::int8`);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  const rows = await query.orderBy('id').limit(filter.limit).execute();
  const entries = rows.map(toLedgerEntry);
  return { entries, lastId: entries.at(-1)?.id };
}
