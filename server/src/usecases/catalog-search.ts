import { sql } from 'kysely';
import type {
  AttentionFailedPush,
  AttentionNegative,
  AttentionUntracked,
  CatalogResult,
  SearchAttentionOutput,
  SearchCatalogInput,
  SearchCatalogOutput,
  SearchListing,
  SearchWarning,
} from '@onhand/shared';
import { listChannels } from '../db/repositories/channels';
import { findProducts } from '../db/repositories/products';
import { listSources } from '../db/repositories/sources';
import type { TenantScope } from './context';
import { inventoryBySkus } from './inventory';
import { lookupListings } from './listings';
import { explainNegativeBalance, listNegatives } from './negatives';

const searchLimitDefault = 20;
/** Negatives explained inline in search.attention; the rest are explained on demand (negatives.explain). */
const explainedNegativesMax = 25;
/** Untracked listings and failed pushes listed in full (the counts are always exact). */
const attentionListMax = 200;

type MatchedOn = CatalogResult['matchedOn'];

/** A LIKE pattern that matches `query` literally (the default escape character is a backslash). */
const likeLiteral = (query: string) => query.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * search.catalog: prefix and substring search over the tenant's whole
 * catalogue — SKU, product title, and every listing's identifiers (channel
 * SKU, marketplace id such as an ASIN) — prefix matches first, then by SKU.
 *
 * Scale: this is ILIKE over the tenant's rows. The `(tenant_id, …)` indexes
 * narrow it to one tenant, so a catalogue of a few thousand SKUs answers in
 * milliseconds. For 100,000 SKUs the substring part needs trigram indexes
 * (`create extension pg_trgm; create index … using gin (sku gin_trgm_ops)`,
 * same for title, channel_sku, external_id) so `%q%` is an index scan, and
 * `text_pattern_ops` b-tree indexes for the prefix part; the query shape
 * below stays the same.
 */
export async function searchCatalog(scope: TenantScope, input: SearchCatalogInput): Promise<SearchCatalogOutput> {
  const { db, tenantId } = scope;
  const query = input.query.trim();
  if (query === '') return { results: [] };
  const limit = input.limit ?? searchLimitDefault;
  const prefix = `${likeLiteral(query)}%`;
  const anywhere = `%${likeLiteral(query)}%`;
  // Rank 0: SKU prefix, 1: listing identifier prefix, 2: title prefix, 3: substring anywhere.
  const matches = await sql<{ sku: string; rank: number; on: MatchedOn }>`
    select sku, min(rank)::int as rank, (array_agg(matched_on order by rank))[1] as on from (
      select p.sku, case when p.sku ilike ${prefix} then 0 when p.title ilike ${prefix} then 2 else 3 end as rank,
        case when p.sku ilike ${anywhere} then 'sku' else 'title' end as matched_on
      from products p
      where p.tenant_id = ${tenantId} and (p.sku ilike ${anywhere} or p.title ilike ${anywhere})
      union all
      select l.sku, case when l.channel_sku ilike ${prefix} or l.external_id ilike ${prefix} then 1 else 3 end, 'listing'
      from listings l
      where l.tenant_id = ${tenantId} and l.sku is not null and (l.channel_sku ilike ${anywhere} or l.external_id ilike ${anywhere})
    ) m
    group by sku
    order by min(rank), sku
    limit ${limit}
  `.execute(db);
  const found = matches.rows;
  if (found.length === 0) return { results: [] };
  const skus = found.map((m) => m.sku);

  const [{ items }, listingRows, channels] = await Promise.all([
    inventoryBySkus(scope, skus),
    db
      .selectFrom('listings as l')
      .leftJoin('listing_pushes as p', (j) => j.onRef('p.tenant_id', '=', 'l.tenant_id').onRef('p.listing_id', '=', 'l.id'))
      .select(['l.id', 'l.channel_id', 'l.sku', 'l.channel_sku', 'l.external_id', 'l.status', 'l.fulfilled_by', 'p.last_error'])
      .where('l.tenant_id', '=', tenantId)
      .where('l.sku', 'in', skus)
      .orderBy('l.channel_id')
      .orderBy('l.id')
      .execute(),
    listChannels(db, tenantId),
  ]);
  const channelOf = new Map(channels.map((c) => [c.channelId, c]));

  // Published quantity and push state: the same rules a portal page gets, one batched lookup per channel.
  const lookedUp = new Map<string, Awaited<ReturnType<typeof lookupListings>>['rows'][number]>();
  const byChannel = new Map<string, typeof listingRows>();
  for (const l of listingRows) {
    if (l.channel_sku === null && l.external_id === null) continue;
    byChannel.set(l.channel_id, [...(byChannel.get(l.channel_id) ?? []), l]);
  }
  await Promise.all(
    [...byChannel].map(async ([channelId, rows]) => {
      const answer = await lookupListings(scope, {
        channelId,
        rows: rows.map((l) => ({ key: l.id, ...(l.channel_sku !== null ? { channelSku: l.channel_sku } : { externalId: l.external_id! }) })),
      });
      for (const row of answer.rows) lookedUp.set(row.key, row);
    }),
  );

  const itemOf = new Map(items.map((i) => [i.sku, i]));
  const results: CatalogResult[] = [];
  for (const match of found) {
    const item = itemOf.get(match.sku);
    if (!item) continue;
    const warnings: SearchWarning[] = item.sources
      .filter((s) => s.available < 0)
      .map((s) => ({ code: 'NEGATIVE' as const, sourceId: s.sourceId, message: `${s.sourceName} is at ${s.available}` }));
    const listings: SearchListing[] = [];
    for (const l of listingRows.filter((r) => r.sku === match.sku)) {
      const channel = channelOf.get(l.channel_id);
      if (!channel) continue;
      const row = lookedUp.get(l.id);
      const listing: SearchListing = {
        listingId: l.id,
        channelId: l.channel_id,
        channelName: channel.name,
        marketplace: channel.marketplace,
        status: l.status,
        fulfilledBy: l.fulfilled_by,
        channelSku: l.channel_sku,
        externalId: l.external_id,
      };
      if (row?.publishedQuantity !== undefined) listing.publishedQuantity = row.publishedQuantity;
      if (row?.push) listing.push = row.push;
      listings.push(listing);
      if (l.status === 'untracked') {
        warnings.push({ code: 'UNTRACKED', listingId: l.id, message: `${channel.name}: this listing is not managed by onhand` });
      }
      if (row?.push?.state === 'failed') {
        warnings.push({ code: 'PUSH_FAILED', listingId: l.id, message: `${channel.name}: publishing ${row.push.desired} failed${l.last_error ? ` (${l.last_error})` : ''}` });
      }
    }
    results.push({ sku: item.sku, title: item.title, isBundle: item.isBundle, matchedOn: match.on, sources: item.sources, totalAvailable: item.totalAvailable, listings, warnings });
  }
  return { results };
}

/**
 * search.attention: everything that needs the seller — every negative (the
 * first ones with their causes and remedies), every untracked listing, every
 * failed push — with exact counts. The toolbar badge shows `counts.total`.
 */
export async function searchAttention(scope: TenantScope): Promise<SearchAttentionOutput> {
  const { db, tenantId } = scope;
  const [negatives, sources, channels, untrackedRows, untrackedCount, failedRows, failedCount] = await Promise.all([
    listNegatives(scope),
    listSources(db, tenantId),
    listChannels(db, tenantId),
    db
      .selectFrom('listings')
      .select(['id', 'channel_id', 'sku', 'channel_sku', 'external_id', 'title'])
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'untracked')
      .orderBy('created_at')
      .orderBy('id')
      .limit(attentionListMax)
      .execute(),
    db.selectFrom('listings').select((eb) => eb.fn.countAll<string | number>().as('n')).where('tenant_id', '=', tenantId).where('status', '=', 'untracked').executeTakeFirstOrThrow(),
    db
      .selectFrom('listing_pushes as p')
      .innerJoin('listings as l', (j) => j.onRef('l.tenant_id', '=', 'p.tenant_id').onRef('l.id', '=', 'p.listing_id'))
      .select(['p.listing_id', 'l.channel_id', 'l.sku', 'p.desired', 'p.attempts', 'p.last_error'])
      .where('p.tenant_id', '=', tenantId)
      .where('p.state', '=', 'failed')
      .orderBy('p.listing_id')
      .limit(attentionListMax)
      .execute(),
    db.selectFrom('listing_pushes').select((eb) => eb.fn.countAll<string | number>().as('n')).where('tenant_id', '=', tenantId).where('state', '=', 'failed').executeTakeFirstOrThrow(),
  ]);
  const sourceName = new Map(sources.map((s) => [s.sourceId, s.name]));
  const channelOf = new Map(channels.map((c) => [c.channelId, c]));
  const titles = new Map((await findProducts(db, tenantId, [...new Set(negatives.map((n) => n.sku))])).map((p) => [p.sku, p.title]));

  const explained = await Promise.all(negatives.slice(0, explainedNegativesMax).map((n) => explainNegativeBalance(scope, { sku: n.sku, sourceId: n.sourceId })));
  const negativeItems: AttentionNegative[] = negatives.map((n, i) => ({
    sku: n.sku,
    title: titles.get(n.sku) ?? null,
    sourceId: n.sourceId,
    sourceName: sourceName.get(n.sourceId) ?? n.sourceId,
    available: n.available,
    since: n.since,
    ...(explained[i] ? { causes: explained[i].causes } : {}),
  }));
  const untracked: AttentionUntracked[] = untrackedRows.flatMap((l) => {
    const channel = channelOf.get(l.channel_id);
    return channel
      ? [{ listingId: l.id, channelId: l.channel_id, channelName: channel.name, marketplace: channel.marketplace, channelSku: l.channel_sku, externalId: l.external_id, title: l.title, sku: l.sku }]
      : [];
  });
  const failedPushes: AttentionFailedPush[] = failedRows.flatMap((p) => {
    const channel = channelOf.get(p.channel_id);
    return channel && p.sku
      ? [{ listingId: p.listing_id, channelId: p.channel_id, channelName: channel.name, marketplace: channel.marketplace, sku: p.sku, desired: p.desired, attempts: p.attempts, error: p.last_error }]
      : [];
  });
  const counts = { negatives: negatives.length, untracked: Number(untrackedCount.n), failedPushes: Number(failedCount.n) };
  return { counts: { ...counts, total: counts.negatives + counts.untracked + counts.failedPushes }, negatives: negativeItems, untracked, failedPushes };
}
