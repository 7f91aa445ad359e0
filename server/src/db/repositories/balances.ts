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
  // Rows are taken in the given (key) order; "on conflict do update" locks
  // an existing row and returns it, a missing one starts at zero. One
  // statement text whatever the number of keys (one prepared plan).
  const { rows } = await sql<{ source_id: string; sku: string; on_hand: number | string; committed: number | string; last_counted_at: Date | null }>`
    insert into balances (tenant_id, source_id, sku, on_hand, committed)
    select ${tenantId}, k.source_id, k.sku, 0, 0
    from unnest(${ordered.map((k) => k.sourceId)}::text[], ${ordered.map((k) => k.sku)}::text[]) with ordinality as k(source_id, sku, position)
    order by k.position
    on conflict (tenant_id, source_id, sku) do update set tenant_id = excluded.tenant_id
    returning source_id, sku, on_hand, committed, last_counted_at
  `.execute(db);
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
