import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Channel, Listing, LookupOutput, LookupRow, SourceQuantity, listingsImportInput, listingsLookupInput, listingsReportSeenInput, listingsSetRulesInput } from '@onhand/shared';
import { available } from '../domain/ledger';
import { isDrift, publishedQuantity } from '../domain/publishing';
import { balanceKeyString, balancesForSkus } from '../db/repositories/balances';
import { findChannel, insertChannel, listChannels } from '../db/repositories/channels';
import { findListing, findListingsForPage, insertSeenListings, setListingRules, updateListing, type ListingWithRules } from '../db/repositories/listings';
import { pushStates } from '../db/repositories/pushes';
import { findComponents, findProduct, findProducts, upsertProductRow } from '../db/repositories/products';
import { listSources } from '../db/repositories/sources';
import type { Db } from '../db/database';
import { notFound } from '../errors';
import { insertEvents, type NewEvent } from '../db/repositories/events';
import type { TenantScope } from './context';
import { idempotent, inTransaction } from './transaction';
import { republish } from './publishing';

type LookupInput = z.infer<typeof listingsLookupInput>;

const marketplaceNames = { amazon: 'Amazon', ebay: 'eBay', walmart: 'Walmart', shopify: 'Shopify', etsy: 'Etsy' } as const;

/** The channels a portal page belongs to: the named one, or the marketplace's (in the region when one matches). */
async function channelsForPage(db: Db, tenantId: string, input: { channelId?: string | undefined; marketplace?: keyof typeof marketplaceNames | undefined; region?: string | undefined }): Promise<Channel[]> {
  if (input.channelId !== undefined) {
    const channel = await findChannel(db, tenantId, input.channelId);
    if (!channel) throw notFound('channel', 'channelId');
    return [channel];
  }
  const ofMarketplace = (await listChannels(db, tenantId)).filter((c) => c.marketplace === input.marketplace);
  const inRegion = ofMarketplace.filter((c) => c.region === input.region);
  return inRegion.length > 0 ? inRegion : ofMarketplace;
}

/**
 * listings.lookup: one call for a whole portal page. Each row is matched to a
 * listing by the identifiers the page shows, and answered with the product's
 * quantity per source, what onhand publishes, and the warnings that apply.
 */
export async function lookupListings(scope: TenantScope, input: LookupInput): Promise<LookupOutput> {
  const { db, tenantId } = scope;
  const channels = await channelsForPage(db, tenantId, input);
  const channelSkus = [...new Set(input.rows.flatMap((r) => (r.channelSku ? [r.channelSku] : [])))];
  const externalIds = [...new Set(input.rows.flatMap((r) => (r.externalId ? [r.externalId] : [])))];
  const [listings, sources] = await Promise.all([
    findListingsForPage(db, tenantId, channels.map((c) => c.channelId), { channelSkus, externalIds }),
    listSources(db, tenantId),
  ]);
  // Maps, not scans: a page has up to 500 rows.
  const byChannelSku = new Map(listings.flatMap((l) => (l.channelSku !== null ? [[l.channelSku, l] as const] : [])));
  const byExternalId = new Map(listings.flatMap((l) => (l.externalId !== null ? [[l.externalId, l] as const] : [])));
  const listingOf = (row: LookupInput['rows'][number]): ListingWithRules | undefined =>
    (row.channelSku !== undefined ? byChannelSku.get(row.channelSku) : undefined) ?? (row.externalId !== undefined ? byExternalId.get(row.externalId) : undefined);
  // A row with no listing may still name a product by its SKU.
  const skus = [...new Set([...listings.flatMap((l) => (l.sku ? [l.sku] : [])), ...channelSkus])];
  const products = await findProducts(db, tenantId, skus);
  const components = await findComponents(db, tenantId, products.filter((p) => p.isBundle).map((p) => p.sku));
  const balances = await balancesForSkus(db, tenantId, [...new Set([...products.map((p) => p.sku), ...components.map((c) => c.component_sku)])]);
  const balanceOf = new Map(balances.map((b) => [balanceKeyString(b), b]));
  const pushes = await pushStates(db, tenantId, listings.map((l) => l.listingId));
  const availableAt = (sourceId: string, sku: string) => available(balanceOf.get(balanceKeyString({ sourceId, sku })) ?? { onHand: 0, committed: 0 });

  const productOf = new Map(products.map((p) => [p.sku, p]));
  const channelOf = new Map(channels.map((c) => [c.channelId, c]));
  const rows: LookupRow[] = input.rows.map((row) => {
    const listing = listingOf(row);
    const sku = listing?.sku ?? (listing ? undefined : row.channelSku);
    const product = sku !== undefined ? productOf.get(sku) : undefined;
    const parts = !product
      ? []
      : product.isBundle
        ? components.filter((c) => c.bundle_sku === product.sku).map((c) => ({ sku: c.component_sku, perUnit: c.quantity }))
        : [{ sku: product.sku, perUnit: 1 }];
    const perSource: SourceQuantity[] = product
      ? sources.map((s) => {
          if (!product.isBundle) {
            const b = balanceOf.get(balanceKeyString({ sourceId: s.sourceId, sku: product.sku })) ?? { onHand: 0, committed: 0 };
            return { sourceId: s.sourceId, sourceName: s.name, kind: s.kind, onHand: b.onHand, committed: b.committed, available: available(b) };
          }
          const kits = parts.length ? Math.min(...parts.map((p) => Math.floor(Math.max(0, availableAt(s.sourceId, p.sku)) / p.perUnit))) : 0;
          return { sourceId: s.sourceId, sourceName: s.name, kind: s.kind, onHand: kits, committed: 0, available: kits };
        })
      : [];
    const out: LookupRow = { key: row.key, match: listing ? listing.status : 'unknown', sources: perSource, warnings: [] };
    if (listing) {
      out.listingId = listing.listingId;
      out.channelId = listing.channelId;
      out.fulfilledBy = listing.fulfilledBy;
      if (listing.title) out.title = listing.title;
    }
    if (product) {
      out.sku = product.sku;
      out.title ??= product.title;
    }
    for (const part of parts) {
      for (const s of sources) {
        const there = availableAt(s.sourceId, part.sku);
        if (there < 0) out.warnings.push({ code: 'NEGATIVE', sourceId: s.sourceId, message: `${s.name} is at ${there} for ${part.sku}` });
      }
    }
    if (!listing) {
      out.warnings.push({ code: 'UNMATCHED', message: product ? 'onhand has this SKU but no listing for it on this channel yet' : 'onhand does not know this listing' });
    } else if (listing.status === 'untracked') {
      out.warnings.push({ code: 'UNTRACKED', message: 'onhand does not manage this listing: import it to track it' });
    } else if (product) {
      const channel = channelOf.get(listing.channelId);
      const published = publishedQuantity({
        fulfilledBy: listing.fulfilledBy,
        parts: parts.map((p) => ({ perUnit: p.perUnit, availableBySource: new Map(sources.map((s) => [s.sourceId, availableAt(s.sourceId, p.sku)])) })),
        channelSourceIds: channel?.sourceIds ?? [],
        rules: listing.rules,
      });
      if (published !== null) out.publishedQuantity = published;
      const push = pushes.get(listing.listingId);
      if (push) out.push = { state: push.state, desired: push.desired, pushed: push.pushed, acknowledgedAt: push.acknowledgedAt };
      if (isDrift(row.displayedQuantity, published)) {
        out.warnings.push({ code: 'DRIFT', message: `the page shows ${row.displayedQuantity}, onhand publishes ${published}` });
      }
    }
    return out;
  });
  return { rows };
}

/**
 * listings.reportSeen: rows a portal showed that onhand does not know become
 * untracked listings (once), on the marketplace's channel, which is created
 * when the seller has none there yet.
 */
export async function reportSeenListings(scope: TenantScope, input: z.infer<typeof listingsReportSeenInput>): Promise<{ created: number }> {
  return inTransaction(scope.db, async (trx) => {
    const { tenantId } = scope;
    const channels = (await listChannels(trx, tenantId)).filter((c) => c.marketplace === input.marketplace);
    let channel = channels.find((c) => c.region === input.region) ?? channels[0];
    if (!channel) {
      const region = input.region ?? 'US';
      const created = { id: `chn_${randomUUID().replaceAll('-', '')}`, marketplace: input.marketplace, region, name: `${marketplaceNames[input.marketplace]} ${region}` };
      await insertChannel(trx, tenantId, created);
      channel = { channelId: created.id, marketplace: created.marketplace, region, name: created.name, sourceIds: [] };
    }
    const products = await findProducts(trx, tenantId, input.rows.flatMap((r) => (r.channelSku ? [r.channelSku] : [])));
    const created = await insertSeenListings(
      trx,
      tenantId,
      input.rows.map((r) => ({
        id: `lst_${randomUUID().replaceAll('-', '')}`,
        channelId: channel.channelId,
        sku: products.some((p) => p.sku === r.channelSku) ? (r.channelSku ?? null) : null,
        channelSku: r.channelSku ?? null,
        externalId: r.externalId ?? null,
        title: r.title ?? null,
        displayedQuantity: r.displayedQuantity ?? null,
      })),
    );
    return { created };
  });
}

/**
 * listings.import: one click. The untracked listing becomes tracked, linked to
 * the product with its SKU, or to a new product when there is none.
 */
export async function importListing(scope: TenantScope, input: z.infer<typeof listingsImportInput>): Promise<Listing> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'listings.import', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      const listing = await findListing(trx, scope.tenantId, input.listingId);
      if (!listing) throw notFound('listing', 'listingId');
      if (listing.status === 'tracked' && (input.sku === undefined || input.sku === listing.sku)) return listing;
      const sku = input.sku ?? listing.sku ?? listing.channelSku ?? listing.externalId;
      if (!sku) throw notFound('product', 'sku');
      if (!(await findProduct(trx, scope.tenantId, sku))) {
        await upsertProductRow(trx, scope.tenantId, { sku, title: input.title ?? listing.title ?? sku, isBundle: false });
      }
      const tracked: Listing = { ...listing, sku, status: 'tracked' };
      await updateListing(trx, scope.tenantId, tracked);
      await insertEvents(trx, scope.tenantId, [listingEvent(tracked)]);
      await republish(trx, scope.tenantId, { listingIds: [tracked.listingId] });
      return tracked;
    }),
  );
}

export async function setRules(scope: TenantScope, input: z.infer<typeof listingsSetRulesInput>): Promise<{ listingId: string; percent: number | null; buffer: number | null; max: number | null }> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'listings.setRules', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      if (!(await findListing(trx, scope.tenantId, input.listingId))) throw notFound('listing', 'listingId');
      await setListingRules(trx, scope.tenantId, input.listingId, input);
      await insertEvents(trx, scope.tenantId, [{ kind: 'listing', payload: { listingId: input.listingId } }]);
      await republish(trx, scope.tenantId, { listingIds: [input.listingId] });
      const row = await trx.selectFrom('listings').select(['rule_percent', 'rule_buffer', 'rule_max']).where('tenant_id', '=', scope.tenantId).where('id', '=', input.listingId).executeTakeFirstOrThrow();
      return { listingId: input.listingId, percent: row.rule_percent, buffer: row.rule_buffer, max: row.rule_max };
    }),
  );
}

export const listingEvent = (listing: Listing): NewEvent => ({
  kind: 'listing',
  payload: { listingId: listing.listingId, sku: listing.sku, status: listing.status, channelSku: listing.channelSku, externalId: listing.externalId },
});
