import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Listing, LookupOutput, LookupRow, SourceQuantity, listingsImportInput, listingsLookupInput, listingsReportSeenInput, listingsSetRulesInput } from '@onhand/shared';
import { available } from '../domain/ledger';
import { isDrift, publishedQuantity } from '../domain/publishing';
import { insertChannel, listChannels } from '../db/repositories/channels';
import { findListing, insertSeenListings, loadLookupPage, setListingRules, updateListing, type ListingWithRules, type RecordedDrift } from '../db/repositories/listings';
import { findProduct, findProducts, upsertProductRow } from '../db/repositories/products';
import { notFound } from '../errors';
import { insertEvents, type NewEvent } from '../db/repositories/events';
import type { TenantScope } from './context';
import { idempotent, inTransaction } from './transaction';
import { republish } from './publishing';

type LookupInput = z.infer<typeof listingsLookupInput>;
type LookupRowInput = LookupInput['rows'][number];

const marketplaceNames = { amazon: 'Amazon', ebay: 'eBay', walmart: 'Walmart', shopify: 'Shopify', etsy: 'Etsy' } as const;

const noBalance = { onHand: 0, committed: 0 };

/** What every row showing one product shares: computed once per product, not once per row. */
interface ProductFigures {
  product: { sku: string; title: string; isBundle: boolean };
  sources: SourceQuantity[];
  /** Itself, or a bundle's components, with what each source has available. */
  parts: { sku: string; perUnit: number; availableBySource: Map<string, number> }[];
  negatives: LookupRow['warnings'];
}

/**
 * listings.lookup: one call for a whole portal page. Each row is matched to a
 * listing by the identifiers the page shows, and answered with the product's
 * quantity per source, what onhand publishes, and the warnings that apply.
 * Everything is read in one statement (loadLookupPage); the rest is lookups
 * in maps and the publishing rules. `recordedDrift` (read in the same
 * statement when the page shows quantities) is for recordDrift.
 */
export async function lookupListings(scope: TenantScope, input: LookupInput): Promise<{ answer: LookupOutput; recordedDrift: RecordedDrift[] }> {
  const withDrift = input.rows.some((row) => row.displayedQuantity !== undefined);
  const page = await loadLookupPage(scope.db, scope.tenantId, { channelId: input.channelId, marketplace: input.marketplace, region: input.region, rows: input.rows, withDrift });
  if (input.channelId !== undefined && page.channels.length === 0) throw notFound('channel', 'channelId');
  const { sources } = page;

  // Maps, not scans: a page has up to 500 rows. Listings come in channel name
  // order; when two channels of the page list one identifier, the first wins.
  const byChannelSku = new Map<string, ListingWithRules>();
  const byExternalId = new Map<string, ListingWithRules>();
  for (const l of page.listings) {
    if (l.channelSku !== null && !byChannelSku.has(l.channelSku)) byChannelSku.set(l.channelSku, l);
    if (l.externalId !== null && !byExternalId.has(l.externalId)) byExternalId.set(l.externalId, l);
  }
  const listingOf = (row: LookupRowInput): ListingWithRules | undefined =>
    (row.channelSku !== undefined ? byChannelSku.get(row.channelSku) : undefined) ?? (row.externalId !== undefined ? byExternalId.get(row.externalId) : undefined);

  const balancesOf = new Map<string, Map<string, { onHand: number; committed: number }>>();
  for (const b of page.balances) {
    let bySource = balancesOf.get(b.sku);
    if (!bySource) balancesOf.set(b.sku, (bySource = new Map()));
    bySource.set(b.sourceId, b);
  }
  const availableBySourceOf = (sku: string) => new Map(sources.map((s) => [s.sourceId, available(balancesOf.get(sku)?.get(s.sourceId) ?? noBalance)]));
  const componentsOf = new Map<string, { sku: string; perUnit: number }[]>();
  for (const c of page.components) componentsOf.set(c.bundleSku, [...(componentsOf.get(c.bundleSku) ?? []), { sku: c.componentSku, perUnit: c.quantity }]);

  const productOf = new Map(page.products.map((p) => [p.sku, p]));
  const figuresOf = new Map<string, ProductFigures>();
  const figuresFor = (sku: string): ProductFigures | undefined => {
    const known = figuresOf.get(sku);
    if (known) return known;
    const product = productOf.get(sku);
    if (!product) return undefined;
    const parts = (product.isBundle ? (componentsOf.get(sku) ?? []) : [{ sku, perUnit: 1 }]).map((p) => ({ ...p, availableBySource: availableBySourceOf(p.sku) }));
    const figures: ProductFigures = {
      product,
      sources: sources.map((s) => {
        if (!product.isBundle) {
          const b = balancesOf.get(sku)?.get(s.sourceId) ?? noBalance;
          return { sourceId: s.sourceId, sourceName: s.name, kind: s.kind, onHand: b.onHand, committed: b.committed, available: available(b) };
        }
        const kits = parts.length ? Math.min(...parts.map((p) => Math.floor(Math.max(0, p.availableBySource.get(s.sourceId) ?? 0) / p.perUnit))) : 0;
        return { sourceId: s.sourceId, sourceName: s.name, kind: s.kind, onHand: kits, committed: 0, available: kits };
      }),
      parts,
      negatives: parts.flatMap((part) =>
        sources.flatMap((s) => {
          const there = part.availableBySource.get(s.sourceId) ?? 0;
          return there < 0 ? [{ code: 'NEGATIVE' as const, sourceId: s.sourceId, message: `${s.name} is at ${there} for ${part.sku}` }] : [];
        }),
      ),
    };
    figuresOf.set(sku, figures);
    return figures;
  };

  const channelOf = new Map(page.channels.map((c) => [c.channelId, c]));
  const pushOf = new Map(page.pushes.map((p) => [p.listingId, p]));
  const rows: LookupRow[] = input.rows.map((row) => {
    const listing = listingOf(row);
    // A row with no listing may still name a product by its SKU.
    const sku = listing ? listing.sku : row.channelSku;
    const figures = sku !== null && sku !== undefined ? figuresFor(sku) : undefined;
    const out: LookupRow = {
      key: row.key,
      match: listing ? listing.status : 'unknown',
      sources: figures ? figures.sources.map((s) => ({ ...s })) : [],
      warnings: figures ? figures.negatives.map((w) => ({ ...w })) : [],
    };
    if (listing) {
      out.listingId = listing.listingId;
      out.channelId = listing.channelId;
      out.fulfilledBy = listing.fulfilledBy;
      if (listing.title) out.title = listing.title;
    }
    if (figures) {
      out.sku = figures.product.sku;
      out.title ??= figures.product.title;
    }
    if (!listing) {
      out.warnings.push({ code: 'UNMATCHED', message: figures ? 'onhand has this SKU but no listing for it on this channel yet' : 'onhand does not know this listing' });
    } else if (listing.status === 'untracked') {
      out.warnings.push({ code: 'UNTRACKED', message: 'onhand does not manage this listing: import it to track it' });
    } else if (figures) {
      const published = publishedQuantity({
        fulfilledBy: listing.fulfilledBy,
        parts: figures.parts,
        channelSourceIds: channelOf.get(listing.channelId)?.sourceIds ?? [],
        rules: listing.rules,
      });
      if (published !== null) out.publishedQuantity = published;
      const push = pushOf.get(listing.listingId);
      if (push) out.push = { state: push.state, desired: push.desired, pushed: push.pushed, acknowledgedAt: push.acknowledgedAt };
      if (isDrift(row.displayedQuantity, published)) {
        out.warnings.push({ code: 'DRIFT', message: `the page shows ${row.displayedQuantity}, onhand publishes ${published}` });
      }
    }
    return out;
  });
  return { answer: { rows }, recordedDrift: page.drift };
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
