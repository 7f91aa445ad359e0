import { sql } from 'kysely';
import type { DbOrTrx, PushState } from '../database';

export interface PublishedListing {
  listingId: string;
  channelId: string;
  sku: string;
  rules: { percent: number | null; buffer: number | null; max: number | null };
}

/**
 * Locks (in listing id order) the tracked, merchant-fulfilled listings whose
 * published quantity depends on any of these SKUs: their own product, or a
 * bundle made of them. Holding the lock before reading stock means two
 * concurrent changes of one listing's inputs recompute one after the other,
 * the later one seeing the earlier one's commit.
 */
export async function lockListingsDependingOn(db: DbOrTrx, tenantId: string, skus: readonly string[]): Promise<PublishedListing[]> {
  if (skus.length === 0) return [];
  const result = await sql<{ id: string; channel_id: string; sku: string; rule_percent: number | null; rule_buffer: number | null; rule_max: number | null }>`
    select id, channel_id, sku, rule_percent, rule_buffer, rule_max from listings
    where tenant_id = ${tenantId} and status = 'tracked' and fulfilled_by = 'merchant'
      and (sku in (${sql.join(skus)}) or sku in (
        select bundle_sku from bundle_components where tenant_id = ${tenantId} and component_sku in (${sql.join(skus)})
      ))
    order by id
    for update
  `.execute(db);
  return result.rows.map((r) => ({ listingId: r.id, channelId: r.channel_id, sku: r.sku, rules: { percent: r.rule_percent, buffer: r.rule_buffer, max: r.rule_max } }));
}

export async function lockListingsById(db: DbOrTrx, tenantId: string, listingIds: readonly string[]): Promise<PublishedListing[]> {
  if (listingIds.length === 0) return [];
  const result = await sql<{ id: string; channel_id: string; sku: string; rule_percent: number | null; rule_buffer: number | null; rule_max: number | null }>`
    select id, channel_id, sku, rule_percent, rule_buffer, rule_max from listings
    where tenant_id = ${tenantId} and status = 'tracked' and fulfilled_by = 'merchant' and id in (${sql.join(listingIds)})
    order by id
    for update
  `.execute(db);
  return result.rows.map((r) => ({ listingId: r.id, channelId: r.channel_id, sku: r.sku, rules: { percent: r.rule_percent, buffer: r.rule_buffer, max: r.rule_max } }));
}

/**
 * Records the quantities to publish; only listings whose desired quantity
 * changed (or that have no record yet) get a new version and go back to
 * pending. Returns those.
 */
export async function upsertDesired(db: DbOrTrx, tenantId: string, desired: readonly { listingId: string; quantity: number }[]): Promise<{ listingId: string; desired: number; version: number }[]> {
  if (desired.length === 0) return [];
  const values = sql.join(desired.map((d) => sql`(${tenantId}::text, ${d.listingId}::text, ${d.quantity}::int)`));
  const result = await sql<{ listing_id: string; desired: number; version: number }>`
    insert into listing_pushes (tenant_id, listing_id, desired, state)
    select t, l, q, 'pending' from (values ${values}) as v(t, l, q)
    on conflict (tenant_id, listing_id) do update
      set desired = excluded.desired, version = listing_pushes.version + 1, state = 'pending',
        attempts = 0, last_error = null, next_attempt_at = now(), desired_at = now()
      where listing_pushes.desired <> excluded.desired
    returning listing_id, desired, version
  `.execute(db);
  return result.rows.map((r) => ({ listingId: r.listing_id, desired: Number(r.desired), version: Number(r.version) }));
}

export interface PushRecord {
  tenantId: string;
  listingId: string;
  desired: number;
  version: number;
  state: PushState;
  pushed: number | null;
  acknowledged: number | null;
  attempts: number;
  acknowledgedAt: string | null;
}

export async function pushStates(db: DbOrTrx, tenantId: string, listingIds: readonly string[]): Promise<Map<string, PushRecord>> {
  if (listingIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('listing_pushes')
    .select(['tenant_id', 'listing_id', 'desired', 'version', 'state', 'pushed', 'acknowledged', 'attempts', 'acknowledged_at'])
    .where('tenant_id', '=', tenantId)
    .where('listing_id', 'in', listingIds)
    .execute();
  return new Map(
    rows.map((r) => [
      r.listing_id,
      {
        tenantId: r.tenant_id,
        listingId: r.listing_id,
        desired: r.desired,
        version: r.version,
        state: r.state,
        pushed: r.pushed,
        acknowledged: r.acknowledged,
        attempts: r.attempts,
        acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at).toISOString() : null,
      },
    ]),
  );
}
