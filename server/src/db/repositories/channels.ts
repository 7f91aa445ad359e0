import { sql, type RawBuilder } from 'kysely';
import type { Channel } from '@onhand/shared';
import type { DbOrTrx, Marketplace } from '../database';

/** `alsoSelect`: an expression evaluated once per channel found (a lock taken in the same round trip). */
export async function listChannels(db: DbOrTrx, tenantId: string, channelId?: string, alsoSelect?: RawBuilder<unknown>): Promise<Channel[]> {
  let query = db
    .selectFrom('channels as c')
    .select(['c.id', 'c.marketplace', 'c.region', 'c.name'])
    // The channel's sources in priority order, in the same round trip.
    .select(sql<string[] | string | null>`(select array_agg(cs.source_id order by cs.position) from channel_sources cs where cs.tenant_id = c.tenant_id and cs.channel_id = c.id)`.as('source_ids'))
    .where('c.tenant_id', '=', tenantId);
  if (channelId !== undefined) query = query.where('c.id', '=', channelId);
  if (alsoSelect) query = query.select(alsoSelect.as('also'));
  const channels = await query.orderBy('c.name').execute();
  return channels.map((c) => ({
    channelId: c.id,
    marketplace: c.marketplace,
    region: c.region,
    name: c.name,
    sourceIds: c.source_ids === null ? [] : Array.isArray(c.source_ids) ? c.source_ids : c.source_ids.replace(/^\{|\}$/g, '').split(',').filter(Boolean),
  }));
}

export async function findChannel(db: DbOrTrx, tenantId: string, channelId: string): Promise<Channel | undefined> {
  return (await listChannels(db, tenantId, channelId))[0];
}

export async function insertChannel(db: DbOrTrx, tenantId: string, channel: { id: string; marketplace: Marketplace; region: string; name: string }): Promise<void> {
  await db.insertInto('channels').values({ tenant_id: tenantId, ...channel }).execute();
}

export async function lockChannel(db: DbOrTrx, tenantId: string, channelId: string): Promise<boolean> {
  const row = await db.selectFrom('channels').select('id').where('tenant_id', '=', tenantId).where('id', '=', channelId).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function replaceChannelSources(db: DbOrTrx, tenantId: string, channelId: string, sourceIds: readonly string[]): Promise<void> {
  await db.deleteFrom('channel_sources').where('tenant_id', '=', tenantId).where('channel_id', '=', channelId).execute();
  if (sourceIds.length === 0) return;
  await db
    .insertInto('channel_sources')
    .values(sourceIds.map((sourceId, position) => ({ tenant_id: tenantId, channel_id: channelId, source_id: sourceId, position })))
    .execute();
}
