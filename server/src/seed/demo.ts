import type { Db } from '../db/database';
import { findSeededTenant } from '../db/repositories/demo-tenant';
import { listTenants } from '../db/repositories/tenants';
import { createTenant, issueToken } from '../usecases/admin';
import { createSource, upsertProduct } from '../usecases/catalog';
import { setQuantity } from '../usecases/inventory';
import { createChannel, upsertListing } from '../usecases/channels';
import { ingestOrder } from '../usecases/orders';

export interface DemoTenant {
  tenantId: string;
  sellerToken: string;
  sourceIds: { MF: string; FBA: string; Deliverr: string };
  skus: string[];
  channelIds: Record<'amazon' | 'ebay' | 'walmart' | 'shopify' | 'etsy', string>;
}

/** What each marketplace calls the demo products (its own ids), so every portal page matches. */
const demoListingIds = {
  amazon: (i: number) => `B0DEMO000${i + 1}`,
  ebay: (i: number) => `38512345670${i + 1}`,
  walmart: (i: number) => `51234567${i + 1}`,
  shopify: (i: number) => `812345678${i + 1}`,
  etsy: (i: number) => `150123456${i + 1}`,
} as const;

const demoProducts = [
  { sku: 'DEMO-MUG-11OZ', title: 'Ceramic mug, 11 oz, white', stock: { MF: 12, FBA: 40, Deliverr: 6 } },
  { sku: 'DEMO-TEE-M-BLK', title: 'Organic cotton tee, M, black', stock: { MF: 3, FBA: 25, Deliverr: 0 } },
  { sku: 'DEMO-CANDLE-LAV', title: 'Soy candle, lavender', stock: { MF: 0, FBA: 8, Deliverr: 14 } },
  { sku: 'DEMO-BOTTLE-750', title: 'Steel water bottle, 750 ml', stock: { MF: 55, FBA: 0, Deliverr: 9 } },
] as const;

const demoTenantName = 'Demo seller';
/** The seed's first keyed step: its key marks the tenant as the demo's. */
const demoMarkerKey = 'demo-source-mf';

/**
 * On an empty database, a demo tenant so a new user sees numbers at once.
 * Returns undefined when any tenant exists already (never seeds twice).
 */
export async function seedDemoIfEmpty(db: Db): Promise<DemoTenant | undefined> {
  if ((await listTenants(db)).length > 0) return undefined;
  const { created, ...demo } = await seedDemo(db);
  void created;
  return demo;
}

/**
 * The demo tenant on any database (`onhand seed-demo`), with a new seller
 * token (tokens are stored hashed: an earlier one cannot be shown again).
 * Idempotent: when the demo tenant exists, every step is repeated with its
 * idempotency key and writes nothing, except to finish a seed that stopped
 * half-way; `created` says whether the tenant is new.
 */
export async function seedDemo(db: Db): Promise<DemoTenant & { created: boolean }> {
  const existing = await findSeededTenant(db, demoTenantName, demoMarkerKey);
  const tenantId = existing ?? (await createTenant(db, demoTenantName)).tenantId;
  const scope = { db, tenantId, actor: 'seed:demo' };
  const mf = await createSource(scope, { name: 'MF', kind: 'merchant', isDefault: true, shipsTo: ['US', 'CA'], priority: 10, idempotencyKey: demoMarkerKey });
  const fba = await createSource(scope, { name: 'FBA', kind: 'fba', shipsTo: ['US'], priority: 20, autoFulfill: true, idempotencyKey: 'demo-source-fba' });
  const deliverr = await createSource(scope, { name: 'Deliverr', kind: 'deliverr', shipsTo: ['US'], priority: 30, autoFulfill: false, idempotencyKey: 'demo-source-deliverr' });
  const sourceIds = { MF: mf.sourceId, FBA: fba.sourceId, Deliverr: deliverr.sourceId };
  for (const product of demoProducts) {
    await upsertProduct(scope, { sku: product.sku, title: product.title, idempotencyKey: `demo-product-${product.sku}` });
    for (const [name, onHand] of Object.entries(product.stock) as [keyof typeof sourceIds, number][]) {
      await setQuantity(scope, { sku: product.sku, sourceId: sourceIds[name], onHand, idempotencyKey: `demo-stock-${product.sku}-${name}` });
    }
  }
  // A channel per marketplace, each demo product listed on each; eBay sells
  // from Deliverr (auto-fulfill off) and MF, so one order shows a negative
  // that explains itself (seed reason 1).
  const channelIds = {} as DemoTenant['channelIds'];
  for (const marketplace of Object.keys(demoListingIds) as (keyof typeof demoListingIds)[]) {
    const sources = marketplace === 'ebay' ? [sourceIds.Deliverr, sourceIds.MF] : [sourceIds.MF, sourceIds.FBA, sourceIds.Deliverr];
    const channel = await createChannel(scope, { marketplace, region: 'US', name: `${marketplace[0]!.toUpperCase()}${marketplace.slice(1)} US`, sourceIds: sources, idempotencyKey: `demo-channel-${marketplace}` });
    channelIds[marketplace] = channel.channelId;
    for (const [i, product] of demoProducts.entries()) {
      await upsertListing(scope, {
        channelId: channel.channelId,
        sku: product.sku,
        channelSku: product.sku,
        externalId: demoListingIds[marketplace](i),
        title: product.title,
        fulfilledBy: 'merchant',
        status: 'tracked',
        idempotencyKey: `demo-listing-${marketplace}-${product.sku}`,
      });
    }
  }
  await ingestOrder(scope, {
    channelId: channelIds.ebay,
    externalOrderId: 'DEMO-EBAY-1001',
    placedAt: new Date().toISOString(),
    shipTo: { country: 'US' },
    lines: [{ externalLineId: '1', channelSku: 'DEMO-CANDLE-LAV', quantity: 1 }],
  });
  // Last: a seed that stopped half-way leaves no token behind.
  const { token } = await issueToken(db, { tenantId, role: 'seller', label: 'demo' });
  return { tenantId, sellerToken: token, sourceIds, skus: demoProducts.map((p) => p.sku), channelIds, created: existing === undefined };
}
