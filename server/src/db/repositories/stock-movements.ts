import { sql } from 'kysely';
import type { Bucket, LedgerEntry, LedgerReason } from '@onhand/shared';
import type { DbOrTrx } from '../database';
import { toLedgerEntry } from './ledger';

/**
 * The hot path of a single-bucket stock change (set quantity, adjust) in two
 * statements, because every round trip inside a transaction costs throughput:
 *
 * 1. `claimAndLockBalance`: claims the idempotency key, checks the source and
 *    the product exist, and creates-or-locks the balance row, returning what
 *    the domain needs to decide.
 * 2. `recordMovement`: writes the new balance, appends the ledger entry and
 *    stores the response under the idempotency key.
 */
export interface ClaimedBalance {
  /** False when the key was used before; nothing else was touched then. */
  claimed: boolean;
  sourceExists: boolean;
  product: { isBundle: boolean } | undefined;
  /** Present when the key was claimed and source and product exist. */
  balance: { onHand: number; committed: number } | undefined;
  /**
   * Whether a tracked listing onhand publishes sells this SKU (itself or as a
   * bundle component): if not, the change moves no published quantity and
   * the republish step is skipped (one round trip less inside the lock).
   */
  publishes: boolean;
}

export async function claimAndLockBalance(
  db: DbOrTrx,
  args: { tenantId: string; sourceId: string; sku: string; idempotencyKey: string; procedure: string; requestHash: string },
): Promise<ClaimedBalance> {
  const { tenantId, sourceId, sku } = args;
  const result = await sql<{ claimed: boolean; source_exists: boolean; is_bundle: boolean | null; on_hand: number | null; committed: number | null; publishes: boolean }>`
    with claim as (
      insert into idempotency_keys (tenant_id, key, procedure, request_hash)
      values (${tenantId}, ${args.idempotencyKey}, ${args.procedure}, ${args.requestHash})
      on conflict (tenant_id, key) do nothing
      returning 1
    ),
    source as (select 1 from sources where tenant_id = ${tenantId} and id = ${sourceId}),
    product as (select is_bundle from products where tenant_id = ${tenantId} and sku = ${sku}),
    locked as (
      -- "on conflict do update" takes the row lock of an existing row and
      -- returns its current values; a new row starts at zero.
      insert into balances (tenant_id, source_id, sku, on_hand, committed)
      select ${tenantId}, ${sourceId}, ${sku}, 0, 0
      where exists (select 1 from claim) and exists (select 1 from source)
        and exists (select 1 from product where not is_bundle)
      on conflict (tenant_id, source_id, sku) do update set tenant_id = excluded.tenant_id
      returning on_hand, committed
    )
    select exists (select 1 from claim) as claimed,
      exists (select 1 from source) as source_exists,
      (select is_bundle from product) as is_bundle,
      (select on_hand from locked) as on_hand,
      (select committed from locked) as committed,
      exists (select 1 from listings l where l.tenant_id = ${tenantId} and l.sku = ${sku} and l.status = 'tracked' and l.fulfilled_by = 'merchant')
        or exists (select 1 from bundle_components c join listings l on l.tenant_id = c.tenant_id and l.sku = c.bundle_sku
          where c.tenant_id = ${tenantId} and c.component_sku = ${sku} and l.status = 'tracked' and l.fulfilled_by = 'merchant') as publishes
  `.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('claimAndLockBalance returned no row');
  return {
    claimed: row.claimed,
    sourceExists: row.source_exists,
    product: row.is_bundle === null ? undefined : { isBundle: row.is_bundle },
    balance: row.on_hand === null || row.committed === null ? undefined : { onHand: Number(row.on_hand), committed: Number(row.committed) },
    publishes: row.publishes,
  };
}

/**
 * The response of a single-bucket change is stored under its idempotency key
 * as a reference (the entry's id and the balance after), in the same
 * statement as the write; a replay rebuilds the full answer from it.
 */
export interface StoredMovementResponse {
  entryId: string;
  onHand: number;
  committed: number;
}

const entryReturning = sql`id, at, source_id, sku, bucket, delta, balance_after, reason, actor, order_id, order_line_id, note`;

type EntryRow = Parameters<typeof toLedgerEntry>[0];

export async function recordMovement(
  db: DbOrTrx,
  args: {
    tenantId: string;
    sourceId: string;
    sku: string;
    bucket: Bucket;
    delta: number;
    onHand: number;
    committed: number;
    balanceAfter: number;
    reason: LedgerReason;
    actor: string;
    note: string | undefined;
    counted: boolean;
    idempotencyKey: string;
  },
): Promise<LedgerEntry> {
  const { tenantId, sourceId, sku } = args;
  const written = await sql<EntryRow>`
    with balance as (
      update balances set on_hand = ${args.onHand}, committed = ${args.committed}, updated_at = now(),
        last_counted_at = case when ${args.counted}::boolean then now() else last_counted_at end,
        negative_since = case when ${args.onHand - args.committed} < 0 then coalesce(negative_since, now()) end
      where tenant_id = ${tenantId} and source_id = ${sourceId} and sku = ${sku}
      returning on_hand, committed
    ),
    entry as (
      insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor, note, idempotency_key)
      select ${tenantId}, ${sourceId}, ${sku}, ${args.bucket}, ${args.delta}, ${args.balanceAfter}, ${args.reason}, ${args.actor}, ${args.note ?? null}, ${args.idempotencyKey}
      from balance
      returning ${entryReturning}
    ),
    stored as (
      update idempotency_keys set response = (
        select jsonb_build_object('entryId', entry.id::text, 'onHand', balance.on_hand, 'committed', balance.committed) from entry, balance
      )
      where tenant_id = ${tenantId} and key = ${args.idempotencyKey}
    ),
    event as (
      insert into events (tenant_id, kind, payload)
      select ${tenantId}, 'balance', jsonb_build_object('sku', ${sku}::text, 'sourceId', ${sourceId}::text,
        'onHand', balance.on_hand, 'committed', balance.committed, 'available', balance.on_hand - balance.committed)
      from balance
    )
    select * from entry
  `.execute(db);
  const row = written.rows[0];
  if (!row) throw new Error('recordMovement wrote no ledger entry (the balance row was not locked)');
  return toLedgerEntry(row);
}

export async function findEntry(db: DbOrTrx, tenantId: string, entryId: string): Promise<LedgerEntry | undefined> {
  const result = await sql<EntryRow>`select ${entryReturning} from ledger_entries where tenant_id = ${tenantId} and id = ${entryId}::bigint`.execute(db);
  const row = result.rows[0];
  return row ? toLedgerEntry(row) : undefined;
}
