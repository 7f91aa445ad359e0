import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Channel, Listing, channelsCreateInput, channelsUpdateInput, listingsUpsertInput, settingsUpdateInput } from '@onhand/shared';
import { findChannel, insertChannel, listChannels, lockChannel, replaceChannelSources } from '../db/repositories/channels';
import { findListingsByIdentifiers, insertListing, updateListing } from '../db/repositories/listings';
import { findProduct } from '../db/repositories/products';
import { getSettings, saveSettings, type TenantSettings } from '../db/repositories/settings';
import { listSources } from '../db/repositories/sources';
import { badRequest, notFound } from '../errors';
import { insertEvents } from '../db/repositories/events';
import { listingEvent } from './listings';
import type { TenantScope } from './context';
import { idempotent, inTransaction } from './transaction';
import { republish } from './publishing';

const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

async function checkSourceIds(scope: TenantScope, trx: Parameters<typeof listSources>[0], sourceIds: readonly string[]): Promise<void> {
  const known = new Set((await listSources(trx, scope.tenantId)).map((s) => s.sourceId));
  const seen = new Set<string>();
  for (const [index, id] of sourceIds.entries()) {
    if (!known.has(id)) throw notFound('source', `sourceIds.${index}`);
    if (seen.has(id)) throw badRequest(`sourceIds.${index}`, 'is listed twice');
    seen.add(id);
  }
}

export async function createChannel(scope: TenantScope, input: z.infer<typeof channelsCreateInput>): Promise<Channel> {
  const work = async (trx: Parameters<Parameters<typeof inTransaction>[1]>[0]) => {
    const sourceIds = input.sourceIds ?? [];
    await checkSourceIds(scope, trx, sourceIds);
    const existing = await listChannels(trx, scope.tenantId);
    if (existing.some((c) => c.name.toLowerCase() === input.name.toLowerCase())) throw badRequest('name', `a channel named ${input.name} already exists`, 'CHANNEL_NAME_TAKEN');
    const channel = { id: newId('chn'), marketplace: input.marketplace, region: input.region, name: input.name };
    await insertChannel(trx, scope.tenantId, channel);
    await replaceChannelSources(trx, scope.tenantId, channel.id, sourceIds);
    return { channelId: channel.id, marketplace: channel.marketplace, region: channel.region, name: channel.name, sourceIds: [...sourceIds] };
  };
  return inTransaction(scope.db, (trx) =>
    input.idempotencyKey ? idempotent(trx, { tenantId: scope.tenantId, procedure: 'channels.create', idempotencyKey: input.idempotencyKey, payload: input }, () => work(trx)) : work(trx),
  );
}

export async function updateChannelSources(scope: TenantScope, input: z.infer<typeof channelsUpdateInput>): Promise<Channel> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'channels.update', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      if (!(await lockChannel(trx, scope.tenantId, input.channelId))) throw notFound('channel', 'channelId');
      await checkSourceIds(scope, trx, input.sourceIds);
      await replaceChannelSources(trx, scope.tenantId, input.channelId, input.sourceIds);
      const listingIds = await trx.selectFrom('listings').select('id').where('tenant_id', '=', scope.tenantId).where('channel_id', '=', input.channelId).execute();
      await republish(trx, scope.tenantId, { listingIds: listingIds.map((l) => l.id) });
      const channel = await findChannel(trx, scope.tenantId, input.channelId);
      if (!channel) throw notFound('channel', 'channelId');
      return channel;
    }),
  );
}

/**
 * listings.upsert: a listing is found by its channel identifiers; the same
 * identifiers update it rather than create a second one.
 */
export async function upsertListing(scope: TenantScope, input: z.infer<typeof listingsUpsertInput>): Promise<Listing> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'listings.upsert', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      if (!(await lockChannel(trx, scope.tenantId, input.channelId))) throw notFound('channel', 'channelId');
      if (!(await findProduct(trx, scope.tenantId, input.sku))) throw notFound('product', 'sku');
      const matches = await findListingsByIdentifiers(trx, scope.tenantId, input.channelId, {
        channelSkus: input.channelSku ? [input.channelSku] : [],
        externalIds: input.externalId ? [input.externalId] : [],
      });
      if (matches.length > 1) throw badRequest('externalId', 'channelSku and externalId name two different listings', 'LISTING_IDENTIFIERS_DISAGREE');
      const existing = matches[0];
      const listing: Listing = {
        listingId: existing?.listingId ?? newId('lst'),
        channelId: input.channelId,
        sku: input.sku,
        channelSku: input.channelSku ?? existing?.channelSku ?? null,
        externalId: input.externalId ?? existing?.externalId ?? null,
        title: input.title ?? existing?.title ?? null,
        fulfilledBy: input.fulfilledBy,
        status: input.status,
      };
      if (existing) await updateListing(trx, scope.tenantId, listing);
      else await insertListing(trx, scope.tenantId, listing);
      await insertEvents(trx, scope.tenantId, [listingEvent(listing)]);
      await republish(trx, scope.tenantId, { listingIds: [listing.listingId] });
      return listing;
    }),
  );
}

export const readSettings = (scope: TenantScope): Promise<TenantSettings> => getSettings(scope.db, scope.tenantId);

export async function updateSettings(scope: TenantScope, input: z.infer<typeof settingsUpdateInput>): Promise<TenantSettings> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'settings.update', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      const current = await getSettings(trx, scope.tenantId);
      const next = {
        inventoryManagedElsewhere: input.inventoryManagedElsewhere ?? current.inventoryManagedElsewhere,
        notCountedAfterDays: input.notCountedAfterDays ?? current.notCountedAfterDays,
      };
      await saveSettings(trx, scope.tenantId, next);
      return next;
    }),
  );
}
