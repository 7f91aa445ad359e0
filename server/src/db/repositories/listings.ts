import type { Listing } from '@onhand/shared';
import type { DbOrTrx, ListingsTable } from '../database';

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
