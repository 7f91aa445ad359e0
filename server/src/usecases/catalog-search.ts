import { sql } from 'kysely';
import type {
  AttentionDrift,
  AttentionFailedPush,
  AttentionNegative,
  AttentionUntracked,
  CatalogResult,
  LookupOutput,
  SearchAttentionOutput,
  SearchCatalogInput,
  SearchCatalogOutput,
  SearchListing,
  SearchWarning,
} from '@onhand/shared';
import { listChannels } from '../db/repositories/channels';
import { insertEvents, type NewEvent } from '../db/repositories/events';
import { findProducts } from '../db/repositories/products';
import type { RecordedDrift } from '../db/repositories/listings';
import { listSources } from '../db/repositories/sources';
import type { TenantScope } from './context';
import { inventoryBySkus } from './inventory';
import { explainNegativeBalance, listNegatives } from './negatives';
import { inTransaction } from './transaction';

const searchLimitDefault = 20;
/** Negatives explained inline in search.attention; the rest are explained on demand (negatives.explain). */
const explainedNegativesMax = 25;
/** Untracked listings and failed pushes listed in full (the counts are always exact). */
const attentionListMax = 200;

type MatchedOn = CatalogResult['matchedOn'];
type Match = { sku: string; rank: number; key: string; matched_on: MatchedOn };

/**
 * The best `limit` matches in rank order — 0: SKU prefix, 1: listing
 * identifier prefix (channel SKU, ASIN, item id), 2: title prefix, 3:
 * substring anywhere — then by the matched text. Case-folded throughout.
 *
 * Scale (100,000 SKUs and more): the database function (migration 0007)
 * reads each prefix tier as a range of a `lower(x) collate "C"` b-tree that
 * stops after `limit` rows, and looks for substrings (trigram indexes where
 * pg_trgm is installed) only when the prefixes found too few and the query
 * is not a whole SKU or identifier. It answers prefix rows first, then
 * substring rows, a SKU possibly in both: the first one counts. It runs as
 * the tables' owner so row-level security does not keep its indexes from
 * being used, and reads only the tenant of the connection.
 */
async function findMatches(scope: TenantScope, query: string, limit: number): Promise<Match[]> {
  const rows = await sql<Match>`select sku, rank, key, matched_on from catalog_search_matches(${query}, ${limit})`.execute(scope.db);
  const seen = new Set<string>();
  const matches: Match[] = [];
  for (const row of rows.rows) {
    if (seen.has(row.sku)) continue;
    seen.add(row.sku);
    matches.push(row);
  }
  return matches.slice(0, limit);
}

/**
 * search.catalog: prefix and substring search over the tenant's whole
 * catalogue — SKU, product title, and every listing's identifiers (channel
 * SKU, marketplace id such as an ASIN) — each result with its quantities per
 * source, its listings with what they publish, and its warnings.
 */
export async function searchCatalog(scope: TenantScope, input: SearchCatalogInput): Promise<SearchCatalogOutput> {
  const { db, tenantId } = scope;
  const query = input.query.trim();
  if (query === '') return { results: [] };
  const found = await findMatches(scope, query, input.limit ?? searchLimitDefault);
  if (found.length === 0) return { results: [] };
  const skus = found.map((m) => m.sku);

  // What a listing publishes is what onhand last recorded for it (`listing_pushes.desired`, written in
  // the same transaction as every change that moves it, and checked by admin.reconcile): no recomputing here.
  const [{ items }, listingRows, channels] = await Promise.all([
    inventoryBySkus(scope, skus),
    sql<ListingRow>`
      select l.id, l.channel_id, l.sku, l.channel_sku, l.external_id, l.status, l.fulfilled_by,
        p.state, p.desired, p.pushed, p.acknowledged_at, p.last_error,
        case when l.status = 'tracked' and ${stillDrifting} then d.displayed_quantity end as page_shows
      from listings l
      left join listing_pushes p on p.tenant_id = l.tenant_id and p.listing_id = l.id
      left join listing_drift d on d.tenant_id = l.tenant_id and d.listing_id = l.id
      where l.tenant_id = ${tenantId} and l.sku = any(${skus}::text[])
      order by l.channel_id, l.id`.execute(db),
    listChannels(db, tenantId),
  ]);
  const channelOf = new Map(channels.map((c) => [c.channelId, c]));
  const itemOf = new Map(items.map((i) => [i.sku, i]));
  const results: CatalogResult[] = [];
  for (const match of found) {
    const item = itemOf.get(match.sku);
    if (!item) continue;
    const warnings: SearchWarning[] = item.sources
      .filter((s) => s.available < 0)
      .map((s) => ({ code: 'NEGATIVE' as const, sourceId: s.sourceId, message: `${s.sourceName} is at ${s.available}` }));
    const listings: SearchListing[] = [];
    for (const l of listingRows.rows.filter((r) => r.sku === match.sku)) {
      const channel = channelOf.get(l.channel_id);
      if (!channel) continue;
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
      const published = l.status === 'tracked' && l.fulfilled_by === 'merchant' && l.state !== null && l.desired !== null;
      if (published) {
        listing.publishedQuantity = l.desired!;
        listing.push = { state: l.state!, desired: l.desired!, pushed: l.pushed, acknowledgedAt: l.acknowledged_at ? new Date(l.acknowledged_at).toISOString() : null };
      }
      listings.push(listing);
      if (l.status === 'untracked') {
        warnings.push({ code: 'UNTRACKED', listingId: l.id, message: `${channel.name}: this listing is not managed by onhand` });
      }
      if (l.page_shows !== null) {
        warnings.push({ code: 'DRIFT', listingId: l.id, message: `${channel.name}: the page shows ${l.page_shows}, onhand publishes ${l.desired ?? '—'}` });
      }
      if (published && l.state === 'failed') {
        warnings.push({ code: 'PUSH_FAILED', listingId: l.id, message: `${channel.name}: publishing ${l.desired} failed${l.last_error ? ` (${l.last_error})` : ''}` });
      }
    }
    results.push({ sku: item.sku, title: item.title, isBundle: item.isBundle, matchedOn: match.matched_on, sources: item.sources, totalAvailable: item.totalAvailable, listings, warnings });
  }
  return { results };
}

/**
 * search.attention: everything that needs the seller — every negative (the
 * first ones with their causes and remedies), every untracked listing, every
 * failed push, every drifting listing — with exact counts. The toolbar badge
 * shows `counts.total`.
 */
export async function searchAttention(scope: TenantScope): Promise<SearchAttentionOutput> {
  const { db, tenantId } = scope;
  const [negatives, sources, channels, untrackedRows, untrackedCount, failedRows, failedCount, driftRows, driftCount] = await Promise.all([
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
    sql<DriftRow>`select d.listing_id, l.channel_id, l.sku, l.channel_sku, l.external_id, d.displayed_quantity, coalesce(p.desired, d.published_quantity) as published_quantity, d.seen_at
      ${driftingListings(tenantId)} order by d.seen_at desc, d.listing_id limit ${attentionListMax}`.execute(db),
    sql<{ n: number }>`select count(*)::int as n ${driftingListings(tenantId)}`.execute(db),
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
  const drifting: AttentionDrift[] = driftRows.rows.flatMap((d) => {
    const channel = channelOf.get(d.channel_id);
    return channel && d.sku
      ? [{
          listingId: d.listing_id,
          channelId: d.channel_id,
          channelName: channel.name,
          marketplace: channel.marketplace,
          sku: d.sku,
          channelSku: d.channel_sku,
          externalId: d.external_id,
          displayed: d.displayed_quantity,
          published: d.published_quantity,
          seenAt: new Date(d.seen_at).toISOString(),
        }]
      : [];
  });
  const counts = { negatives: negatives.length, untracked: Number(untrackedCount.n), failedPushes: Number(failedCount.n), drifting: driftCount.rows[0]?.n ?? 0 };
  return {
    counts: { ...counts, total: counts.negatives + counts.untracked + counts.failedPushes + counts.drifting },
    negatives: negativeItems,
    untracked,
    failedPushes,
    drifting,
  };
}

/** A recorded sighting `d` of listing `l` (with its push `p`) that still drifts. */
const stillDrifting = sql<boolean>`(d.displayed_quantity <> coalesce(p.desired, d.published_quantity) and (p.acknowledged_at is null or p.acknowledged_at <= d.seen_at))`;

type ListingRow = {
  id: string;
  channel_id: string;
  sku: string;
  channel_sku: string | null;
  external_id: string | null;
  status: 'tracked' | 'untracked';
  fulfilled_by: 'merchant' | 'marketplace';
  state: 'pending' | 'pushed' | 'acknowledged' | 'failed' | null;
  desired: number | null;
  pushed: number | null;
  acknowledged_at: Date | string | null;
  last_error: string | null;
  page_shows: number | null;
};

type DriftRow = {
  listing_id: string;
  channel_id: string;
  sku: string | null;
  channel_sku: string | null;
  external_id: string | null;
  displayed_quantity: number;
  published_quantity: number;
  seen_at: Date | string;
};

/**
 * Tracked listings a portal page last showed with another quantity than
 * onhand published at that moment, that still drift: what onhand publishes
 * now is not what the page showed, and the marketplace has acknowledged no
 * newer quantity since (after which the page shows that one).
 */
const driftingListings = (tenantId: string) => sql`
  from listing_drift d
  join listings l on l.tenant_id = d.tenant_id and l.id = d.listing_id and l.status = 'tracked'
  left join listing_pushes p on p.tenant_id = d.tenant_id and p.listing_id = d.listing_id
  where d.tenant_id = ${tenantId} and ${stillDrifting}`;

/**
 * Remembers, from a portal page's lookup, which tracked listings the page
 * shows with another quantity than onhand publishes (`listing_drift`, one
 * row per drifting listing; a page showing the published quantity again
 * clears it). Writes only when that changes, and then announces it (a
 * `listing` event) so the toolbar badge recounts. True when it wrote.
 */
export async function recordDrift(
  scope: TenantScope,
  input: { rows: readonly { key: string; displayedQuantity?: number | undefined }[] },
  answer: LookupOutput,
  /** What listing_drift held for the page's listings, read with the page (loadLookupPage). */
  recordedDrift: readonly RecordedDrift[],
): Promise<boolean> {
  const displayed = new Map(input.rows.flatMap((r) => (r.displayedQuantity !== undefined ? [[r.key, r.displayedQuantity] as const] : [])));
  if (displayed.size === 0) return false;
  const seen = new Map<string, { sku: string | undefined; displayed: number; published: number }>();
  for (const row of answer.rows) {
    const shown = displayed.get(row.key);
    if (row.match !== 'tracked' || !row.listingId || row.publishedQuantity === undefined || shown === undefined) continue;
    seen.set(row.listingId, { sku: row.sku, displayed: shown, published: row.publishedQuantity });
  }
  if (seen.size === 0) return false;
  const { db, tenantId } = scope;
  const recorded = new Map(recordedDrift.map((r) => [r.listingId, r]));
  const drifting = [...seen].filter(([, s]) => s.displayed !== s.published);
  const changed = drifting.filter(([id, s]) => recorded.get(id)?.displayedQuantity !== s.displayed || recorded.get(id)?.publishedQuantity !== s.published);
  const cleared = [...seen].filter(([id, s]) => s.displayed === s.published && recorded.has(id));
  // A drifting listing seen again after the marketplace acknowledged a newer
  // quantity drifts anew: its sighting is brought past the acknowledgement.
  // Otherwise a page shown again writes nothing (lookups stay reads).
  const changedIds = new Set(changed.map(([id]) => id));
  const refreshed = drifting.filter(([id]) => recorded.get(id)?.acknowledgedSince === true && !changedIds.has(id));
  if (changed.length === 0 && cleared.length === 0 && refreshed.length === 0) return false;
  await inTransaction(db, async (trx) => {
    const upserts = [...changed, ...refreshed];
    if (upserts.length > 0) {
      await sql`
        insert into listing_drift (tenant_id, listing_id, displayed_quantity, published_quantity, seen_at)
        select ${tenantId}, v.listing_id, v.displayed, v.published, now()
        from unnest(${upserts.map(([id]) => id)}::text[], ${upserts.map(([, s]) => s.displayed)}::int[], ${upserts.map(([, s]) => s.published)}::int[]) as v(listing_id, displayed, published)
        on conflict (tenant_id, listing_id) do update
          set displayed_quantity = excluded.displayed_quantity, published_quantity = excluded.published_quantity, seen_at = excluded.seen_at`.execute(trx);
    }
    if (cleared.length > 0) {
      await sql`delete from listing_drift where tenant_id = ${tenantId} and listing_id = any(${cleared.map(([id]) => id)}::text[])`.execute(trx);
    }
    const events: NewEvent[] = [...changed.map(([id, s]) => ({ id, s, drift: true })), ...cleared.map(([id, s]) => ({ id, s, drift: false }))].map(({ id, s, drift }) => ({
      kind: 'listing',
      payload: { listingId: id, sku: s.sku ?? null, drift, displayedQuantity: s.displayed, publishedQuantity: s.published },
    }));
    await insertEvents(trx, tenantId, events);
  });
  return changed.length > 0 || cleared.length > 0;
}
