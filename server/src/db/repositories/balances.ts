import { sql } from 'kysely';
import type { BalanceState } from '../../domain/ledger';
import type { DbOrTrx } from '../database';

export interface BalanceKey {
  sourceId: string;
  sku: string;
}

export interface BalanceRow extends BalanceKey, BalanceState {
  lastCountedAt: Date | null;
}

/** The fixed order in which every use-case locks balance rows: no deadlocks. */
export const compareBalanceKeys = (a: BalanceKey, b: BalanceKey): number =>
  a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;

/**
 * Creates missing balance rows and locks all of them, in key order, in one
 * statement: `on conflict do update` takes the row lock of an existing row
 * and returns its current values.
 */
export async function lockBalances(db: DbOrTrx, tenantId: string, keys: readonly BalanceKey[]): Promise<Map<string, BalanceRow>> {
  const ordered = [...new Map(keys.map((k) => [balanceKeyString(k), k])).values()].sort(compareBalanceKeys);
  const locked = new Map<string, BalanceRow>();
  if (ordered.length === 0) return locked;
  const rows = await db
    .insertInto('balances')
    .values(ordered.map((k) => ({ tenant_id: tenantId, source_id: k.sourceId, sku: k.sku, on_hand: 0, committed: 0, last_counted_at: null, updated_at: new Date() })))
    .onConflict((oc) => oc.columns(['tenant_id', 'source_id', 'sku']).doUpdateSet({ tenant_id: sql`excluded.tenant_id` }))
    .returning(['source_id', 'sku', 'on_hand', 'committed', 'last_counted_at'])
    .execute();
  for (const r of rows) {
    locked.set(balanceKeyString({ sourceId: r.source_id, sku: r.sku }), {
      sourceId: r.source_id,
      sku: r.sku,
      onHand: Number(r.on_hand),
      committed: Number(r.committed),
      lastCountedAt: r.last_counted_at,
    });
  }
  return locked;
}

export const balanceKeyString = (k: BalanceKey): string => `${k.sourceId}\u0000${k.sku}`;

export async function writeBalance(
  db: DbOrTrx,
  tenantId: string,
  balance: BalanceKey & BalanceState,
  options: { counted?: boolean } = {},
): Promise<void> {
  await db
    .updateTable('balances')
    .set({
      on_hand: balance.onHand,
      committed: balance.committed,
      updated_at: sql`now()`,
      negative_since: sql`case when ${balance.onHand - balance.committed} < 0 then coalesce(negative_since, now()) end`,
      ...(options.counted ? { last_counted_at: sql`now()` } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('source_id', '=', balance.sourceId)
    .where('sku', '=', balance.sku)
    .execute();
}

export async function balancesForSkus(db: DbOrTrx, tenantId: string, skus: readonly string[]): Promise<BalanceRow[]> {
  if (skus.length === 0) return [];
  const rows = await db
    .selectFrom('balances')
    .select(['source_id', 'sku', 'on_hand', 'committed', 'last_counted_at'])
    .where('tenant_id', '=', tenantId)
    .where('sku', 'in', skus)
    .execute();
  return rows.map((r) => ({
    sourceId: r.source_id,
    sku: r.sku,
    onHand: Number(r.on_hand),
    committed: Number(r.committed),
    lastCountedAt: r.last_counted_at,
  }));
}

/**
 * Writes many balances in one statement (orders touch several rows at once),
 * keeping negative_since: set when available drops below zero, cleared when
 * it is back.
 */
export async function writeBalances(db: DbOrTrx, tenantId: string, balances: readonly (BalanceKey & BalanceState)[]): Promise<void> {
  if (balances.length === 0) return;
  const values = sql.join(balances.map((b) => sql`(${b.sourceId}::text, ${b.sku}::text, ${b.onHand}::bigint, ${b.committed}::bigint)`));
  await sql`
    update balances as b
    set on_hand = v.on_hand, committed = v.committed, updated_at = now(),
      negative_since = case when v.on_hand - v.committed < 0 then coalesce(b.negative_since, now()) end
    from (values ${values}) as v(source_id, sku, on_hand, committed)
    where b.tenant_id = ${tenantId} and b.source_id = v.source_id and b.sku = v.sku
  `.execute(db);
}
