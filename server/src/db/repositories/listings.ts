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
export async function findListingsByIdentifiers(
  db: DbOrTrx,
  tenantId: string,
  channelId: string,
  identifiers: { channelSkus: readonly string[]; externalIds: readonly string[] },
): Promise<Listing[]> {
  if (identifiers.channelSkus.length === 0 && identifiers.externalIds.length === 0) return [];
  const rows = await db
    .selectFrom('listings')
    .select(columns)
    .where('tenant_id', '=', tenantId)
    .where('channel_id', '=', channelId)
    .where((eb) =>
      eb.or([
        ...(identifiers.channelSkus.length ? [eb('channel_sku', 'in', identifiers.channelSkus)] : []),
        ...(identifiers.externalIds.length ? [eb('external_id', 'in', identifiers.externalIds)] : []),
      ]),
    )
    .execute();
  return rows.map(toListing);
}

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
