import { sql } from 'kysely';
import type { DbOrTrx } from '../database';

/**
 * Statements of a many-row stock count (inventory.setQuantities), one per
 * step whatever the number of rows: a 500-row import call must not cost 500
 * round trips.
 */

/**
 * Creates the products that do not exist yet (plain products, never
 * bundles) and returns the SKUs this statement created. An existing product,
 * including one a concurrent transaction just created, is left as it is.
 */
export async function insertMissingProducts(db: DbOrTrx, tenantId: string, products: readonly { sku: string; title: string }[]): Promise<string[]> {
  if (products.length === 0) return [];
  const rows = await db
    .insertInto('products')
    .values(products.map((p) => ({ tenant_id: tenantId, sku: p.sku, title: p.title, is_bundle: false })))
    .onConflict((oc) => oc.columns(['tenant_id', 'sku']).doNothing())
    .returning('sku')
    .execute();
  return rows.map((r) => r.sku);
}

/**
 * Records that these (locked) balances were counted now, changed or not:
 * "not counted for N days" (negatives.explain) reads it.
 */
export async function markCounted(db: DbOrTrx, tenantId: string, sourceId: string, skus: readonly string[]): Promise<void> {
  if (skus.length === 0) return;
  await sql`
    update balances set last_counted_at = now()
    where tenant_id = ${tenantId} and source_id = ${sourceId} and sku in (${sql.join(skus)})
  `.execute(db);
}
