import { sql } from 'kysely';
import type { DbOrTrx, PushState } from '../database';

export interface PublishedListing {
  listingId: string;
  channelId: string;
  sku: string;
  rules: { percent: number | null; buffer: number | null; max: number | null };
  isBundle: boolean;
  components: { sku: string; quantity: number }[];
  /** The channel's sources in priority order; empty means every source. */
  channelSourceIds: string[];
}

type InputRow = {
  id: string;
  channel_id: string;
  sku: string;
  rule_percent: number | null;
  rule_buffer: number | null;
  rule_max: number | null;
  is_bundle: boolean;
  components: { sku: string; quantity: number }[] | string;
  channel_source_ids: string[] | string | null;
};

const parseJson = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/**
 * Locks (in listing id order) the tracked, merchant-fulfilled listings whose
 * published quantity depends on any of these SKUs (their own product, or a
 * bundle made of them), or the listings named, and returns everything the
 * rules need except stock, in one statement. Holding the lock before reading
 * stock means two concurrent changes of one listing's inputs recompute one
 * after the other, the later one seeing the earlier one's commit.
 */
export async function lockPublishingInputs(db: DbOrTrx, tenantId: string, scope: { skus?: readonly string[]; listingIds?: readonly string[] }): Promise<PublishedListing[]> {
  const skus = scope.skus ?? [];
  const listingIds = scope.listingIds ?? [];
  if (skus.length === 0 && listingIds.length === 0) return [];
  // Two index lookups (the SKU's own listings, the listings of bundles made
  // of it) rather than one OR that would scan every listing.
  const bySku = skus.length
    ? sql`select id from listings where tenant_id = ${tenantId} and sku in (${sql.join(skus)})
        union all
        select l2.id from bundle_components c join listings l2 on l2.tenant_id = c.tenant_id and l2.sku = c.bundle_sku
        where c.tenant_id = ${tenantId} and c.component_sku in (${sql.join(skus)})`
    : sql`select null::text where false`;
  const byId = listingIds.length ? sql`select id from listings where tenant_id = ${tenantId} and id in (${sql.join(listingIds)})` : sql`select null::text where false`;
  const result = await sql<InputRow>`
    select l.id, l.channel_id, l.sku, l.rule_percent, l.rule_buffer, l.rule_max, p.is_bundle,
      coalesce((select json_agg(json_build_object('sku', c.component_sku, 'quantity', c.quantity)) from bundle_components c
        where c.tenant_id = l.tenant_id and c.bundle_sku = l.sku), '[]'::json) as components,
      (select array_agg(cs.source_id order by cs.position) from channel_sources cs
        where cs.tenant_id = l.tenant_id and cs.channel_id = l.channel_id) as channel_source_ids
    from listings l join products p on p.tenant_id = l.tenant_id and p.sku = l.sku
    where l.tenant_id = ${tenantId} and l.status = 'tracked' and l.fulfilled_by = 'merchant' and l.id in (${bySku} union ${byId})
    order by l.id
    for update of l
  `.execute(db);
  return result.rows.map((r) => ({
    listingId: r.id,
    channelId: r.channel_id,
    sku: r.sku,
    rules: { percent: r.rule_percent, buffer: r.rule_buffer, max: r.rule_max },
    isBundle: r.is_bundle,
    components: parseJson(r.components),
    channelSourceIds: r.channel_source_ids === null ? [] : Array.isArray(r.channel_source_ids) ? r.channel_source_ids : parsePgArray(r.channel_source_ids),
  }));
}

/** `{a,b}` → ['a','b'] for drivers that hand text[] back as text (ids never need quoting). */
function parsePgArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((v) => v.replace(/^"|"$/g, ''));
}

/**
 * Records the quantities to publish; only listings whose desired quantity
 * changed (or that have no record yet) get a new version and go back to
 * pending. Returns those.
 */
export async function upsertDesired(db: DbOrTrx, tenantId: string, desired: readonly { listingId: string; sku: string; quantity: number }[]): Promise<{ listingId: string; desired: number; version: number }[]> {
  if (desired.length === 0) return [];
  const values = sql.join(desired.map((d) => sql`(${tenantId}::text, ${d.listingId}::text, ${d.sku}::text, ${d.quantity}::int)`));
  // The changed rows and their 'push' events in one statement.
  const result = await sql<{ listing_id: string; desired: number; version: number }>`
    with changed as (
      insert into listing_pushes (tenant_id, listing_id, desired, state)
      select t, l, q, 'pending' from (values ${values}) as v(t, l, s, q)
      on conflict (tenant_id, listing_id) do update
        set desired = excluded.desired, version = listing_pushes.version + 1, state = 'pending',
          attempts = 0, last_error = null, next_attempt_at = now(), desired_at = now()
        where listing_pushes.desired <> excluded.desired
      returning listing_id, desired, version
    ), event as (
      insert into events (tenant_id, kind, payload)
      select ${tenantId}, 'push', jsonb_build_object('listingId', changed.listing_id, 'sku', v.s, 'desired', changed.desired, 'state', 'pending')
      from changed join (values ${values}) as v(t, l, s, q) on v.l = changed.listing_id
    )
    select listing_id, desired, version from changed
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
