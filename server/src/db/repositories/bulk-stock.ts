import { sql } from 'kysely';
import type { DbOrTrx } from '../database';
import { balanceKeyString, compareBalanceKeys, type BalanceRow } from './balances';

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
 * Creates missing balance rows at one source and locks all of them, in key
 * order (the order every use-case locks in), recording that they were
 * counted now, changed or not ("not counted for N days" in
 * negatives.explain reads it) — one statement: `on conflict do update` takes
 * the row lock of an existing row and returns its current quantities.
 */
export async function lockCountedBalances(db: DbOrTrx, tenantId: string, sourceId: string, skus: readonly string[]): Promise<Map<string, BalanceRow>> {
  const ordered = [...new Set(skus)].sort((a, b) => compareBalanceKeys({ sourceId, sku: a }, { sourceId, sku: b }));
  const locked = new Map<string, BalanceRow>();
  if (ordered.length === 0) return locked;
  const rows = await db
    .insertInto('balances')
    .values(ordered.map((sku) => ({ tenant_id: tenantId, source_id: sourceId, sku, on_hand: 0, committed: 0, last_counted_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })))
    .onConflict((oc) => oc.columns(['tenant_id', 'source_id', 'sku']).doUpdateSet({ last_counted_at: sql<Date>`now()` }))
    .returning(['source_id', 'sku', 'on_hand', 'committed', 'last_counted_at'])
    .execute();
  for (const r of rows) {
    const key = { sourceId: r.source_id, sku: r.sku };
    locked.set(balanceKeyString(key), { ...key, onHand: Number(r.on_hand), committed: Number(r.committed), lastCountedAt: r.last_counted_at });
  }
  return locked;
}
