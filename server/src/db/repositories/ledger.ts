import { sql } from 'kysely';
import type { Bucket, LedgerEntry, LedgerReason } from '@onhand/shared';
import type { DbOrTrx } from '../database';

export interface NewLedgerEntry {
  sourceId: string;
  sku: string;
  bucket: Bucket;
  delta: number;
  balanceAfter: number;
  reason: LedgerReason;
  actor: string;
  orderId?: string | undefined;
  orderLineId?: string | undefined;
  note?: string | undefined;
  idempotencyKey?: string | undefined;
}

const entryColumns = ['id', 'at', 'source_id', 'sku', 'bucket', 'delta', 'balance_after', 'reason', 'actor', 'order_id', 'order_line_id', 'note'] as const;

type EntryRow = {
  id: string | number;
  at: Date | string;
  source_id: string;
  sku: string;
  bucket: Bucket;
  delta: number | string;
  balance_after: number | string;
  reason: string;
  actor: string;
  order_id: string | null;
  order_line_id: string | null;
  note: string | null;
};

export function toLedgerEntry(row: EntryRow): LedgerEntry {
  const entry: LedgerEntry = {
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    sku: row.sku,
    sourceId: row.source_id,
    bucket: row.bucket,
    delta: Number(row.delta),
    balanceAfter: Number(row.balance_after),
    reason: row.reason as LedgerReason,
    actor: row.actor,
  };
  if (row.order_id !== null) entry.orderId = row.order_id;
  if (row.order_line_id !== null) entry.orderLineId = row.order_line_id;
  if (row.note !== null) entry.note = row.note;
  return entry;
}

/** Newest first; the cursor is the id of the last entry of the previous page. */
export async function ledgerPage(
  db: DbOrTrx,
  tenantId: string,
  filter: { sku: string; sourceId?: string | undefined; beforeId?: number | undefined; limit: number },
): Promise<LedgerEntry[]> {
  let query = db.selectFrom('ledger_entries').select(entryColumns).where('tenant_id', '=', tenantId).where('sku', '=', filter.sku);
  if (filter.sourceId) query = query.where('source_id', '=', filter.sourceId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', sql<string>`${filter.beforeId}`);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toLedgerEntry);
}

export interface BalanceVsLedger {
  tenantId: string;
  sourceId: string;
  sku: string;
  onHand: number;
  committed: number;
  onHandLedger: number;
  committedLedger: number;
}

/** Every balance next to the sums of its ledger, where the two disagree. */
export async function balancesDisagreeingWithLedger(db: DbOrTrx, tenantId?: string): Promise<{ checked: number; mismatches: BalanceVsLedger[] }> {
  const tenantFilter = tenantId === undefined ? sql`true` : sql`b.tenant_id = ${tenantId}`;
  const result = await sql<{
    tenant_id: string;
    source_id: string;
    sku: string;
    on_hand: number;
    committed: number;
    on_hand_ledger: number;
    committed_ledger: number;
  }>`
    with sums as (
      select tenant_id, source_id, sku,
        coalesce(sum(delta) filter (where bucket = 'on_hand'), 0)::int8 as on_hand_ledger,
        coalesce(sum(delta) filter (where bucket = 'committed'), 0)::int8 as committed_ledger
      from ledger_entries
      group by tenant_id, source_id, sku
    )
    select b.tenant_id, b.source_id, b.sku, b.on_hand, b.committed,
      coalesce(s.on_hand_ledger, 0) as on_hand_ledger, coalesce(s.committed_ledger, 0) as committed_ledger
    from balances b
    left join sums s using (tenant_id, source_id, sku)
    where ${tenantFilter}
  `.execute(db);
  const all = result.rows.map((r) => ({
    tenantId: r.tenant_id,
    sourceId: r.source_id,
    sku: r.sku,
    onHand: Number(r.on_hand),
    committed: Number(r.committed),
    onHandLedger: Number(r.on_hand_ledger),
    committedLedger: Number(r.committed_ledger),
  }));
  return { checked: all.length, mismatches: all.filter((r) => r.onHand !== r.onHandLedger || r.committed !== r.committedLedger) };
}

/**
 * Writes touched balances, their 'balance' events and the ledger entries in
 * one statement (orders move several rows at once; each round trip inside
 * the transaction costs throughput). The balances must be locked already:
 * they are written through their primary key (an upsert of rows that
 * exist), so the plan never depends on statistics, and the statement's text
 * does not depend on how many rows it writes (one prepared plan).
 */
export async function writeMovements(
  db: DbOrTrx,
  tenantId: string,
  balances: readonly { sourceId: string; sku: string; onHand: number; committed: number }[],
  entries: readonly NewLedgerEntry[],
  /** The 'balance' events to record, in order (by default each balance as written). */
  events: readonly { sourceId: string; sku: string; onHand: number; committed: number }[] = balances,
): Promise<LedgerEntry[]> {
  if (entries.length === 0) return [];
  const result = await sql<Parameters<typeof toLedgerEntry>[0]>`
    with touched as (
      insert into balances as b (tenant_id, source_id, sku, on_hand, committed)
      select ${tenantId}, v.source_id, v.sku, v.on_hand, v.committed
      from unnest(${balances.map((b) => b.sourceId)}::text[], ${balances.map((b) => b.sku)}::text[], ${balances.map((b) => b.onHand)}::bigint[],
        ${balances.map((b) => b.committed)}::bigint[]) as v(source_id, sku, on_hand, committed)
      on conflict (tenant_id, source_id, sku) do update set on_hand = excluded.on_hand, committed = excluded.committed, updated_at = now(),
        negative_since = case when excluded.on_hand - excluded.committed < 0 then coalesce(b.negative_since, now()) end
      returning b.source_id, b.sku, b.on_hand, b.committed
    ), event as (
      insert into events (tenant_id, kind, payload)
      select ${tenantId}, 'balance', jsonb_build_object('sku', v.sku, 'sourceId', v.source_id, 'onHand', v.on_hand, 'committed', v.committed, 'available', v.on_hand - v.committed)
      from unnest(${events.map((e) => e.sourceId)}::text[], ${events.map((e) => e.sku)}::text[], ${events.map((e) => e.onHand)}::bigint[],
        ${events.map((e) => e.committed)}::bigint[]) with ordinality as v(source_id, sku, on_hand, committed, position)
      where exists (select 1 from touched t where t.source_id = v.source_id and t.sku = v.sku)
      order by v.position
    )
    insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor, order_id, order_line_id, note, idempotency_key)
    select ${tenantId}, e.source_id, e.sku, e.bucket, e.delta, e.balance_after, e.reason, e.actor, e.order_id, e.order_line_id, e.note, e.idempotency_key
    from unnest(${entries.map((e) => e.sourceId)}::text[], ${entries.map((e) => e.sku)}::text[], ${entries.map((e) => e.bucket)}::text[],
      ${entries.map((e) => e.delta)}::bigint[], ${entries.map((e) => e.balanceAfter)}::bigint[], ${entries.map((e) => e.reason)}::text[],
      ${entries.map((e) => e.actor)}::text[], ${entries.map((e) => e.orderId ?? null)}::text[], ${entries.map((e) => e.orderLineId ?? null)}::text[],
      ${entries.map((e) => e.note ?? null)}::text[], ${entries.map((e) => e.idempotencyKey ?? null)}::text[])
      with ordinality as e(source_id, sku, bucket, delta, balance_after, reason, actor, order_id, order_line_id, note, idempotency_key, position)
    order by e.position
    returning ${sql.join(entryColumns.map((c) => sql.ref(c)))}
  `.execute(db);
  return result.rows.map(toLedgerEntry);
}
