import type { Db } from '../db/database';
import { listTenants } from '../db/repositories/tenants';
import { createTenant, issueToken } from '../usecases/admin';
import { createSource, upsertProduct } from '../usecases/catalog';
import { setQuantity } from '../usecases/inventory';

export interface DemoTenant {
  tenantId: string;
  sellerToken: string;
  sourceIds: { MF: string; FBA: string; Deliverr: string };
  skus: string[];
}

const demoProducts = [
  { sku: 'DEMO-MUG-11OZ', title: 'Ceramic mug, 11 oz, white', stock: { MF: 12, FBA: 40, Deliverr: 6 } },
  { sku: 'DEMO-TEE-M-BLK', title: 'Organic cotton tee, M, black', stock: { MF: 3, FBA: 25, Deliverr: 0 } },
  { sku: 'DEMO-CANDLE-LAV', title: 'Soy candle, lavender', stock: { MF: 0, FBA: 8, Deliverr: 14 } },
  { sku: 'DEMO-BOTTLE-750', title: 'Steel water bottle, 750 ml', stock: { MF: 55, FBA: 0, Deliverr: 9 } },
] as const;

/**
 * On an empty database, a demo tenant so a new user sees numbers at once.
 * Returns undefined when any tenant exists already (never seeds twice).
 */
export async function seedDemoIfEmpty(db: Db): Promise<DemoTenant | undefined> {
  if ((await listTenants(db)).length > 0) return undefined;
  const { tenantId } = await createTenant(db, 'Demo seller');
  const { token } = await issueToken(db, { tenantId, role: 'seller', label: 'demo' });
  const scope = { db, tenantId, actor: 'seed:demo' };
  const mf = await createSource(scope, { name: 'MF', kind: 'merchant', isDefault: true, shipsTo: ['US', 'CA'], priority: 10, idempotencyKey: 'demo-source-mf' });
  const fba = await createSource(scope, { name: 'FBA', kind: 'fba', shipsTo: ['US'], priority: 20, autoFulfill: true, idempotencyKey: 'demo-source-fba' });
  const deliverr = await createSource(scope, { name: 'Deliverr', kind: 'deliverr', shipsTo: ['US'], priority: 30, autoFulfill: false, idempotencyKey: 'demo-source-deliverr' });
  const sourceIds = { MF: mf.sourceId, FBA: fba.sourceId, Deliverr: deliverr.sourceId };
  for (const product of demoProducts) {
    await upsertProduct(scope, { sku: product.sku, title: product.title, idempotencyKey: `demo-product-${product.sku}` });
    for (const [name, onHand] of Object.entries(product.stock) as [keyof typeof sourceIds, number][]) {
      await setQuantity(scope, { sku: product.sku, sourceId: sourceIds[name], onHand, idempotencyKey: `demo-stock-${product.sku}-${name}` });
    }
  }
  return { tenantId, sellerToken: token, sourceIds, skus: demoProducts.map((p) => p.sku) };
}
