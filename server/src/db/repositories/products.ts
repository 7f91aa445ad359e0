import { sql } from 'kysely';
import type { Product } from '@onhand/shared';
import type { DbOrTrx } from '../database';

export interface ProductRow {
  sku: string;
  title: string;
  isBundle: boolean;
}

export async function findProducts(db: DbOrTrx, tenantId: string, skus: readonly string[]): Promise<ProductRow[]> {
  if (skus.length === 0) return [];
  const rows = await db
    .selectFrom('products')
    .select(['sku', 'title', 'is_bundle'])
    .where('tenant_id', '=', tenantId)
    .where('sku', 'in', skus)
    .execute();
  return rows.map((r) => ({ sku: r.sku, title: r.title, isBundle: r.is_bundle }));
}

export async function findProduct(db: DbOrTrx, tenantId: string, sku: string): Promise<ProductRow | undefined> {
  return (await findProducts(db, tenantId, [sku]))[0];
}

export async function findComponents(db: DbOrTrx, tenantId: string, bundleSkus: readonly string[]) {
  if (bundleSkus.length === 0) return [];
  return db
    .selectFrom('bundle_components')
    .select(['bundle_sku', 'component_sku', 'quantity'])
    .where('tenant_id', '=', tenantId)
    .where('bundle_sku', 'in', bundleSkus)
    .orderBy('bundle_sku')
    .orderBy('component_sku')
    .execute();
}

/** Locks the product row (creating it if new) so concurrent upserts of one SKU serialise. */
export async function upsertProductRow(db: DbOrTrx, tenantId: string, product: ProductRow): Promise<void> {
  await db
    .insertInto('products')
    .values({ tenant_id: tenantId, sku: product.sku, title: product.title, is_bundle: product.isBundle })
    .onConflict((oc) => oc.columns(['tenant_id', 'sku']).doUpdateSet({ title: product.title, is_bundle: product.isBundle }))
    .execute();
}

export async function replaceComponents(
  db: DbOrTrx,
  tenantId: string,
  bundleSku: string,
  components: readonly { sku: string; quantity: number }[],
): Promise<void> {
  await db.deleteFrom('bundle_components').where('tenant_id', '=', tenantId).where('bundle_sku', '=', bundleSku).execute();
  if (components.length === 0) return;
  await db
    .insertInto('bundle_components')
    .values(components.map((c) => ({ tenant_id: tenantId, bundle_sku: bundleSku, component_sku: c.sku, quantity: c.quantity })))
    .execute();
}

/** Whether any product (other than the bundle itself) uses this SKU as a component. */
export async function isComponentOfAnyBundle(db: DbOrTrx, tenantId: string, sku: string): Promise<boolean> {
  const row = await db
    .selectFrom('bundle_components')
    .select('bundle_sku')
    .where('tenant_id', '=', tenantId)
    .where('component_sku', '=', sku)
    .executeTakeFirst();
  return row !== undefined;
}

export async function hasStock(db: DbOrTrx, tenantId: string, sku: string): Promise<boolean> {
  const row = await db
    .selectFrom('ledger_entries')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('sku', '=', sku)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function searchProducts(db: DbOrTrx, tenantId: string, query: string, limit: number): Promise<Product[]> {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db
    .selectFrom('products')
    .select(['sku', 'title', 'is_bundle'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('sku', 'ilike', pattern), eb('title', 'ilike', pattern)]))
    // Prefix matches first, then alphabetical.
    .orderBy(sql`case when sku ilike ${`${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} then 0 else 1 end`)
    .orderBy('sku')
    .limit(limit)
    .execute();
  const components = await findComponents(db, tenantId, rows.filter((r) => r.is_bundle).map((r) => r.sku));
  return rows.map((r) => ({
    sku: r.sku,
    title: r.title,
    isBundle: r.is_bundle,
    components: components.filter((c) => c.bundle_sku === r.sku).map((c) => ({ sku: c.component_sku, quantity: c.quantity })),
  }));
}
