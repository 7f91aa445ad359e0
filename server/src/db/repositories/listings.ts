import { sql } from 'kysely';
import type { Channel, Listing, Source } from '@onhand/shared';
import type { DbOrTrx, ListingsTable, PushState } from '../database';

const columns = ['id', 'channel_id', 'sku', 'channel_sku', 'external_id', 'title', 'fulfilled_by', 'status'] as const;
type Row = Pick<ListingsTable, (typeof columns)[number]>;

export const toListing = (row: Row): Listing => ({
  listingId: row.id,
  channelId: row.channel_id,
  sku: row.sku,
  channelSku: row.channel_sku,
  externalId: row.external_id,
  title: row.title,
  fulfilledBy: row.fulfilled_by,
  status: row.status,
});

/** Listings of one channel matching any of the given channel SKUs or external ids. */
export const findListingsByIdentifiers = (
  db: DbOrTrx,
  tenantId: string,
  channelId: string,
  identifiers: { channelSkus: readonly string[]; externalIds: readonly string[] },
): Promise<Listing[]> => findListingsForPage(db, tenantId, [channelId], identifiers);

export async function findListing(db: DbOrTrx, tenantId: string, listingId: string): Promise<Listing | undefined> {
  const row = await db.selectFrom('listings').select(columns).where('tenant_id', '=', tenantId).where('id', '=', listingId).executeTakeFirst();
  return row ? toListing(row) : undefined;
}

export async function insertListing(db: DbOrTrx, tenantId: string, listing: Listing): Promise<void> {
  await db
    .insertInto('listings')
    .values({
      tenant_id: tenantId,
      id: listing.listingId,
      channel_id: listing.channelId,
      sku: listing.sku,
      channel_sku: listing.channelSku,
      external_id: listing.externalId,
      title: listing.title,
      fulfilled_by: listing.fulfilledBy,
      status: listing.status,
      displayed_quantity: null,
      rule_percent: null,
      rule_buffer: null,
      rule_max: null,
    })
    .execute();
}

export async function updateListing(db: DbOrTrx, tenantId: string, listing: Listing): Promise<void> {
  await db
    .updateTable('listings')
    .set({
      sku: listing.sku,
      channel_sku: listing.channelSku,
      external_id: listing.externalId,
      title: listing.title,
      fulfilled_by: listing.fulfilledBy,
      status: listing.status,
      updated_at: new Date(),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', listing.listingId)
    .execute();
}

export interface ListingWithRules extends Listing {
  rules: { percent: number | null; buffer: number | null; max: number | null };
}

/** Listings of any of the channels matching any identifier (one query for a whole page). */
export async function findListingsForPage(
  db: DbOrTrx,
  tenantId: string,
  channelIds: readonly string[],
  identifiers: { channelSkus: readonly string[]; externalIds: readonly string[] },
): Promise<ListingWithRules[]> {
  if (channelIds.length === 0 || (identifiers.channelSkus.length === 0 && identifiers.externalIds.length === 0)) return [];
  const rows = await db
    .selectFrom('listings')
    .select([...columns, 'rule_percent', 'rule_buffer', 'rule_max'])
    .where('tenant_id', '=', tenantId)
    .where('channel_id', 'in', channelIds)
    .where((eb) =>
      eb.or([
        ...(identifiers.channelSkus.length ? [eb('channel_sku', 'in', identifiers.channelSkus)] : []),
        ...(identifiers.externalIds.length ? [eb('external_id', 'in', identifiers.externalIds)] : []),
      ]),
    )
    .execute();
  return rows.map((r) => ({ ...toListing(r), rules: { percent: r.rule_percent, buffer: r.rule_buffer, max: r.rule_max } }));
}

export async function setListingRules(db: DbOrTrx, tenantId: string, listingId: string, rules: { percent?: number | null; buffer?: number | null; max?: number | null }): Promise<void> {
  await db
    .updateTable('listings')
    .set({
      ...(rules.percent !== undefined ? { rule_percent: rules.percent } : {}),
      ...(rules.buffer !== undefined ? { rule_buffer: rules.buffer } : {}),
      ...(rules.max !== undefined ? { rule_max: rules.max } : {}),
      updated_at: new Date(),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', listingId)
    .execute();
}

/** Creates untracked listings for rows a portal showed that onhand did not know; existing ones are left alone. */
export async function insertSeenListings(
  db: DbOrTrx,
  tenantId: string,
  rows: readonly { id: string; channelId: string; sku: string | null; channelSku: string | null; externalId: string | null; title: string | null; displayedQuantity: number | null }[],
): Promise<number> {
  let created = 0;
  for (const row of rows) {
    // One by one: either unique identifier may already be taken.
    const result = await db
      .insertInto('listings')
      .values({
        tenant_id: tenantId,
        id: row.id,
        channel_id: row.channelId,
        sku: row.sku,
        channel_sku: row.channelSku,
        external_id: row.externalId,
        title: row.title,
        fulfilled_by: 'merchant',
        status: 'untracked',
        displayed_quantity: row.displayedQuantity,
        rule_percent: null,
        rule_buffer: null,
        rule_max: null,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (result) created += 1;
  }
  return created;
}

/** What a portal page needs to be answered, read in one statement (one snapshot, one round trip). */
export interface LookupPageData {
  /** The page's channels: the named one, or the marketplace's (those in the region when any is). */
  channels: Channel[];
  /** Every source of the tenant, in priority order. */
  sources: Pick<Source, 'sourceId' | 'name' | 'kind'>[];
  /** Listings of those channels matching any identifier, in channel name order. */
  listings: ListingWithRules[];
  /** Products of the listings, and of the page's SKUs when no listing names them. */
  products: { sku: string; title: string; isBundle: boolean }[];
  components: { bundleSku: string; componentSku: string; quantity: number }[];
  /** Balances of those products and of their components. */
  balances: { sourceId: string; sku: string; onHand: number; committed: number }[];
  pushes: { listingId: string; state: PushState; desired: number; pushed: number | null; acknowledgedAt: string | null }[];
  /**
   * With `withDrift`: what `listing_drift` remembers of the page's listings
   * (usecases/catalog-search.ts recordDrift), and whether the marketplace
   * acknowledged a push since that sighting. Read here, in the lookup's
   * snapshot, so that a page showing quantities costs no second round trip.
   */
  drift: RecordedDrift[];
}

export interface RecordedDrift {
  listingId: string;
  displayedQuantity: number;
  publishedQuantity: number;
  acknowledgedSince: boolean;
}

// Rows travel as JSON arrays built by PostgreSQL: one parse of one value
// instead of the driver decoding hundreds of rows field by field.
type ChannelTuple = [id: string, marketplace: Channel['marketplace'], region: string, name: string, sourceIds: string[]];
type ListingTuple = [
  id: string,
  channelId: string,
  sku: string | null,
  channelSku: string | null,
  externalId: string | null,
  title: string | null,
  fulfilledBy: Listing['fulfilledBy'],
  status: Listing['status'],
  percent: number | null,
  buffer: number | null,
  max: number | null,
];

/**
 * Everything listings.lookup reads for one page, as one set-based statement:
 * the identifiers go in as two arrays; channels, sources, listings, products,
 * bundle components, balances and push states come back as one row of JSON.
 */
export async function loadLookupPage(
  db: DbOrTrx,
  tenantId: string,
  page: {
    channelId?: string | undefined;
    marketplace?: string | undefined;
    region?: string | undefined;
    /** The identifiers each row of the page shows (at least one of the two). */
    rows: readonly { channelSku?: string | undefined; externalId?: string | undefined }[];
    /** Also read the page's recorded drift (the page shows quantities). */
    withDrift: boolean;
  },
): Promise<LookupPageData> {
  const rowChannelSkus = page.rows.map((r) => r.channelSku ?? null);
  const rowExternalIds = page.rows.map((r) => r.externalId ?? null);
  const channelId = page.channelId ?? null;
  const marketplace = page.marketplace ?? null;
  const region = page.region ?? null;
  const result = await sql<{
    channels: ChannelTuple[] | null;
    sources: [id: string, name: string, kind: Source['kind']][] | null;
    listings: ListingTuple[] | null;
    products: [sku: string, title: string, isBundle: boolean][] | null;
    components: [bundleSku: string, componentSku: string, quantity: number][] | null;
    balances: [sourceId: string, sku: string, onHand: number, committed: number][] | null;
    pushes: [listingId: string, state: PushState, desired: number, pushed: number | null, acknowledgedAt: string | null][] | null;
    drift: [listingId: string, displayed: number, published: number, acknowledgedSince: boolean][] | null;
  }>`
    with marketplace_channels as (
      select c.id, c.marketplace, c.region, c.name from channels c
      where c.tenant_id = ${tenantId}
        and case when ${channelId}::text is not null then c.id = ${channelId}::text else c.marketplace = ${marketplace}::text end
    ),
    page_channels as (
      select mc.* from marketplace_channels mc
      where ${channelId}::text is not null
        or mc.region = ${region}::text
        or not exists (select from marketplace_channels r where r.region = ${region}::text)
    ),
    -- Every read below is one index probe per key (a lateral subquery
    -- behind "offset 0", which the planner cannot turn into a hash join over
    -- all of the tenant's rows). Whatever the plan knows of the arrays (a
    -- prepared statement's generic plan knows neither their contents nor
    -- their length), a 500-row page costs about 500 probes per table, and
    -- row-level security is checked on those rows only.
    --
    -- The page's rows as (channel SKU, item id) pairs. An item id is only
    -- looked for on rows whose channel SKU names no listing (the lookup
    -- matches by channel SKU first): a page showing both probes once a row.
    page_rows as (
      select distinct wanted.channel_sku, wanted.external_id from unnest(${rowChannelSkus}::text[], ${rowExternalIds}::text[]) as wanted(channel_sku, external_id)
    ),
    by_channel_sku as (
      select l.* from page_channels pc
      cross join (select distinct channel_sku from page_rows where channel_sku is not null) as wanted
      cross join lateral (
        select l.id, l.channel_id, l.sku, l.channel_sku, l.external_id, l.title, l.fulfilled_by, l.status, l.rule_percent, l.rule_buffer, l.rule_max
        from listings l
        where l.tenant_id = ${tenantId} and l.channel_id = pc.id and l.channel_sku = wanted.channel_sku and l.channel_sku is not null
        offset 0
      ) l
    ),
    by_external_id as (
      select l.* from page_channels pc
      cross join (
        select distinct r.external_id from page_rows r
        where r.external_id is not null and not exists (select from by_channel_sku m where m.channel_sku = r.channel_sku)
      ) as wanted
      cross join lateral (
        select l.id, l.channel_id, l.sku, l.channel_sku, l.external_id, l.title, l.fulfilled_by, l.status, l.rule_percent, l.rule_buffer, l.rule_max
        from listings l
        where l.tenant_id = ${tenantId} and l.channel_id = pc.id and l.external_id = wanted.external_id and l.external_id is not null
        offset 0
      ) l
    ),
    page_listings as (
      select * from by_channel_sku
      union
      select * from by_external_id
    ),
    page_products as (
      select p.* from (select sku from page_listings where sku is not null union select channel_sku from page_rows where channel_sku is not null) as wanted
      cross join lateral (select p.sku, p.title, p.is_bundle from products p where p.tenant_id = ${tenantId} and p.sku = wanted.sku offset 0) p
    ),
    page_components as (
      select bc.* from page_products pp
      cross join lateral (
        select bc.bundle_sku, bc.component_sku, bc.quantity from bundle_components bc where bc.tenant_id = ${tenantId} and bc.bundle_sku = pp.sku offset 0
      ) bc
      where pp.is_bundle
    ),
    page_balances as (
      select b.* from (select sku from page_products union select component_sku from page_components) as wanted
      cross join lateral (select b.source_id, b.sku, b.on_hand, b.committed from balances b where b.tenant_id = ${tenantId} and b.sku = wanted.sku offset 0) b
    ),
    page_pushes as (
      select lp.* from page_listings pl
      cross join lateral (
        select lp.listing_id, lp.state, lp.desired, lp.pushed, lp.acknowledged_at from listing_pushes lp where lp.tenant_id = ${tenantId} and lp.listing_id = pl.id offset 0
      ) lp
    ),
    page_drift as (
      select d.* from page_listings pl
      cross join lateral (
        select d.listing_id, d.displayed_quantity, d.published_quantity, d.seen_at from listing_drift d
        where ${page.withDrift}::boolean and d.tenant_id = ${tenantId} and d.listing_id = pl.id offset 0
      ) d
    )
    select
      (select json_agg(json_build_array(pc.id, pc.marketplace, pc.region, pc.name,
          coalesce((select array_agg(cs.source_id order by cs.position) from channel_sources cs where cs.tenant_id = ${tenantId} and cs.channel_id = pc.id), '{}'))
        order by pc.name) from page_channels pc) as channels,
      (select json_agg(json_build_array(s.id, s.name, s.kind) order by s.priority, s.name) from sources s where s.tenant_id = ${tenantId}) as sources,
      (select json_agg(json_build_array(l.id, l.channel_id, l.sku, l.channel_sku, l.external_id, l.title, l.fulfilled_by, l.status, l.rule_percent, l.rule_buffer, l.rule_max)
        order by c.name, l.id) from page_listings l join page_channels c on c.id = l.channel_id) as listings,
      (select json_agg(json_build_array(p.sku, p.title, p.is_bundle)) from page_products p) as products,
      (select json_agg(json_build_array(bc.bundle_sku, bc.component_sku, bc.quantity) order by bc.bundle_sku, bc.component_sku) from page_components bc) as components,
      (select json_agg(json_build_array(b.source_id, b.sku, b.on_hand, b.committed)) from page_balances b) as balances,
      (select json_agg(json_build_array(lp.listing_id, lp.state, lp.desired, lp.pushed,
          to_char(lp.acknowledged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
        from page_pushes lp) as pushes,
      (select json_agg(json_build_array(d.listing_id, d.displayed_quantity, d.published_quantity, coalesce(lp.acknowledged_at > d.seen_at, false)))
        from page_drift d left join page_pushes lp on lp.listing_id = d.listing_id) as drift
  `.execute(db);
  const row = result.rows[0];
  return {
    channels: (row?.channels ?? []).map(([id, marketplace, region, name, sourceIds]) => ({ channelId: id, marketplace, region, name, sourceIds })),
    sources: (row?.sources ?? []).map(([sourceId, name, kind]) => ({ sourceId, name, kind })),
    listings: (row?.listings ?? []).map(([id, channelId, sku, channelSku, externalId, title, fulfilledBy, status, percent, buffer, max]) => ({
      listingId: id,
      channelId,
      sku,
      channelSku,
      externalId,
      title,
      fulfilledBy,
      status,
      rules: { percent, buffer, max },
    })),
    products: (row?.products ?? []).map(([sku, title, isBundle]) => ({ sku, title, isBundle })),
    components: (row?.components ?? []).map(([bundleSku, componentSku, quantity]) => ({ bundleSku, componentSku, quantity })),
    balances: (row?.balances ?? []).map(([sourceId, sku, onHand, committed]) => ({ sourceId, sku, onHand: Number(onHand), committed: Number(committed) })),
    pushes: (row?.pushes ?? []).map(([listingId, state, desired, pushed, acknowledgedAt]) => ({ listingId, state, desired, pushed, acknowledgedAt })),
    drift: (row?.drift ?? []).map(([listingId, displayedQuantity, publishedQuantity, acknowledgedSince]) => ({ listingId, displayedQuantity, publishedQuantity, acknowledgedSince })),
  };
}
