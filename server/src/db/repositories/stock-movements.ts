import { sql } from 'kysely';
import type { LedgerEntry } from '@onhand/shared';
import type { DbOrTrx } from '../database';
import { balanceKeyString, compareBalanceKeys } from './balances';
import { toLedgerEntry, type NewLedgerEntry } from './ledger';

/**
 * The hot path of single-bucket stock changes (set quantity, adjust) for a
 * batch of requests in two statements, whatever the batch's size, because
 * every round trip inside a transaction costs throughput:
 *
 * 1. `claimAndLockBalances`: claims each request's idempotency key, finds
 *    which sources and products exist, and creates-or-locks the balance rows
 *    (in key order), returning what the domain needs to decide.
 * 2. `recordMovements`: writes the new balances, appends the ledger entries
 *    (in request order), stores each response under its key, gives back the
 *    keys of requests the domain refused, and records one event per change.
 */
export interface StockChangeRequest {
  idempotencyKey: string;
  procedure: string;
  requestHash: string;
  sourceId: string;
  sku: string;
}

export interface ClaimedBalances {
  /** Keys this batch claimed (the others were used before: replay them). */
  claimedKeys: Set<string>;
  sourceIds: Set<string>;
  /** Products that exist, by SKU. */
  products: Map<string, { isBundle: boolean }>;
  /** Locked balances of claimed requests whose source and product exist; `created` by this statement (none existed). */
  balances: { sourceId: string; sku: string; onHand: number; committed: number; created: boolean }[];
  /**
   * SKUs a tracked listing onhand publishes sells (itself or as a bundle
   * component): a change of any other moves no published quantity and the
   * republish step is skipped (one round trip less inside the lock).
   */
  publishingSkus: Set<string>;
}

const parseJson = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

export async function claimAndLockBalances(db: DbOrTrx, tenantId: string, requests: readonly StockChangeRequest[]): Promise<ClaimedBalances> {
  const lockOrder = [...new Map(requests.map((r) => [balanceKeyString(r), { sourceId: r.sourceId, sku: r.sku }])).values()].sort(compareBalanceKeys);
  const result = await sql<{ claimed: unknown; sources: unknown; products: unknown; balances: unknown; publishing: unknown }>`
    with input as (
      select * from unnest(${requests.map((r) => r.idempotencyKey)}::text[], ${requests.map((r) => r.procedure)}::text[],
        ${requests.map((r) => r.requestHash)}::text[], ${requests.map((r) => r.sourceId)}::text[], ${requests.map((r) => r.sku)}::text[])
        as i(key, procedure, request_hash, source_id, sku)
    ),
    claim as (
      insert into idempotency_keys (tenant_id, key, procedure, request_hash)
      select ${tenantId}, key, procedure, request_hash from input order by key
      on conflict (tenant_id, key) do nothing
      returning key
    ),
    source as (select id from sources where tenant_id = ${tenantId} and id in (select source_id from input)),
    product as (select sku, is_bundle from products where tenant_id = ${tenantId} and sku in (select sku from input)),
    wanted as (
      -- The batch's balances in the key order every use-case locks in
      -- (compareBalanceKeys, sorted here, not by the database's collation):
      -- those of claimed requests whose source and product exist.
      select k.source_id, k.sku, k.position from unnest(${lockOrder.map((k) => k.sourceId)}::text[], ${lockOrder.map((k) => k.sku)}::text[])
        with ordinality as k(source_id, sku, position)
      where exists (select 1 from input i join claim c on c.key = i.key where i.source_id = k.source_id and i.sku = k.sku)
        and exists (select 1 from source s where s.id = k.source_id)
        and exists (select 1 from product p where p.sku = k.sku and not p.is_bundle)
    ),
    locked as (
      -- "on conflict do update" takes the row lock of an existing row and
      -- returns its current values; a new row starts at zero.
      insert into balances (tenant_id, source_id, sku, on_hand, committed)
      select ${tenantId}, source_id, sku, 0, 0 from wanted order by position
      on conflict (tenant_id, source_id, sku) do update set tenant_id = excluded.tenant_id
      returning source_id, sku, on_hand, committed, xmax = 0 as created
    )
    select
      (select coalesce(json_agg(key), '[]') from claim) as claimed,
      (select coalesce(json_agg(id), '[]') from source) as sources,
      (select coalesce(json_agg(json_build_object('sku', sku, 'isBundle', is_bundle)), '[]') from product) as products,
      (select coalesce(json_agg(json_build_object('sourceId', source_id, 'sku', sku, 'onHand', on_hand, 'committed', committed, 'created', created)), '[]') from locked) as balances,
      (select coalesce(json_agg(p.sku), '[]') from product p
        where exists (select 1 from listings l where l.tenant_id = ${tenantId} and l.sku = p.sku and l.status = 'tracked' and l.fulfilled_by = 'merchant')
          or exists (select 1 from bundle_components c join listings l on l.tenant_id = c.tenant_id and l.sku = c.bundle_sku
            where c.tenant_id = ${tenantId} and c.component_sku = p.sku and l.status = 'tracked' and l.fulfilled_by = 'merchant')) as publishing
  `.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('claimAndLockBalances returned no row');
  return {
    claimedKeys: new Set(parseJson(row.claimed as string[])),
    sourceIds: new Set(parseJson(row.sources as string[])),
    products: new Map(parseJson(row.products as { sku: string; isBundle: boolean }[]).map((p) => [p.sku, { isBundle: p.isBundle }])),
    balances: parseJson(row.balances as ClaimedBalances['balances']).map((b) => ({ ...b, onHand: Number(b.onHand), committed: Number(b.committed) })),
    publishingSkus: new Set(parseJson(row.publishing as string[])),
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

/** A ledger entry of a batch, with its request's key claim and the balance right after it (what its response reports). */
export type MovementToRecord = Omit<NewLedgerEntry, 'orderId' | 'orderLineId' | 'idempotencyKey'> & {
  idempotencyKey: string;
  /** The key's claim, as claimed (the response is stored with an upsert of it). */
  procedure: string;
  requestHash: string;
  onHand: number;
  committed: number;
};

const entryReturning = sql`id, at, source_id, sku, bucket, delta, balance_after, reason, actor, order_id, order_line_id, note, idempotency_key`;

type EntryRow = Parameters<typeof toLedgerEntry>[0] & { idempotency_key: string };

/**
 * Writes a batch's decisions: each balance's final numbers (marked counted
 * when a movement of it was a count), the entries in request order, each
 * response under its key, one 'balance' event per change, and releases the
 * keys of refused requests and the balance rows created only for them (a
 * refusal writes nothing, so the same key may be used again). Returns the
 * entries by idempotency key.
 */
export async function recordMovements(
  db: DbOrTrx,
  tenantId: string,
  write: {
    balances: readonly { sourceId: string; sku: string; onHand: number; committed: number; counted: boolean }[];
    movements: readonly MovementToRecord[];
    releasedKeys: readonly string[];
    /** Balance rows the batch created for requests that were all refused: removed, as a rollback would. */
    uncreated: readonly { sourceId: string; sku: string }[];
  },
): Promise<Map<string, LedgerEntry>> {
  const { balances, movements } = write;
  // Every write goes through a unique index (upserts of rows that exist and
  // are locked), so no plan depends on statistics: a young tenant's tables
  // or an embedded database without autovacuum never get a table scan here.
  const released =
    write.releasedKeys.length === 0
      ? sql``
      : sql`released as (delete from idempotency_keys where tenant_id = ${tenantId} and key = any(${write.releasedKeys}::text[])),`;
  const uncreated =
    write.uncreated.length === 0
      ? sql``
      : sql`uncreated as (
          delete from balances b using unnest(${write.uncreated.map((k) => k.sourceId)}::text[], ${write.uncreated.map((k) => k.sku)}::text[]) as k(source_id, sku)
          where b.tenant_id = ${tenantId} and b.source_id = k.source_id and b.sku = k.sku
        ),`;
  const written = await sql<EntryRow>`
    with ${released} ${uncreated}
    balance as (
      insert into balances as b (tenant_id, source_id, sku, on_hand, committed, last_counted_at)
      select ${tenantId}, v.source_id, v.sku, v.on_hand, v.committed, case when v.counted then now() end
      from unnest(${balances.map((b) => b.sourceId)}::text[], ${balances.map((b) => b.sku)}::text[], ${balances.map((b) => b.onHand)}::bigint[],
        ${balances.map((b) => b.committed)}::bigint[], ${balances.map((b) => b.counted)}::boolean[]) as v(source_id, sku, on_hand, committed, counted)
      on conflict (tenant_id, source_id, sku) do update set on_hand = excluded.on_hand, committed = excluded.committed, updated_at = now(),
        last_counted_at = coalesce(excluded.last_counted_at, b.last_counted_at),
        negative_since = case when excluded.on_hand - excluded.committed < 0 then coalesce(b.negative_since, now()) end
      returning b.source_id, b.sku, b.on_hand, b.committed
    ),
    movement as (
      select * from unnest(${movements.map((m) => m.idempotencyKey)}::text[], ${movements.map((m) => m.sourceId)}::text[], ${movements.map((m) => m.sku)}::text[],
        ${movements.map((m) => m.bucket)}::text[], ${movements.map((m) => m.delta)}::bigint[], ${movements.map((m) => m.balanceAfter)}::bigint[],
        ${movements.map((m) => m.reason)}::text[], ${movements.map((m) => m.actor)}::text[], ${movements.map((m) => m.note ?? null)}::text[],
        ${movements.map((m) => m.onHand)}::bigint[], ${movements.map((m) => m.committed)}::bigint[],
        ${movements.map((m) => m.procedure)}::text[], ${movements.map((m) => m.requestHash)}::text[])
        with ordinality as m(key, source_id, sku, bucket, delta, balance_after, reason, actor, note, on_hand, committed, procedure, request_hash, position)
    ),
    entry as (
      -- The entries' ids follow the order the domain applied them in.
      insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor, note, idempotency_key)
      select ${tenantId}, m.source_id, m.sku, m.bucket, m.delta, m.balance_after, m.reason, m.actor, m.note, m.key
      from movement m
      where exists (select 1 from balance b where b.source_id = m.source_id and b.sku = m.sku)
      order by m.position
      returning ${entryReturning}
    ),
    stored as (
      insert into idempotency_keys (tenant_id, key, procedure, request_hash, response)
      select ${tenantId}, m.key, m.procedure, m.request_hash, jsonb_build_object('entryId', e.id::text, 'onHand', m.on_hand, 'committed', m.committed)
      from entry e join movement m on m.key = e.idempotency_key
      on conflict (tenant_id, key) do update set response = excluded.response
    ),
    event as (
      -- One event per change, with the balance as that change left it:
      -- a subscriber sees every step, as when each request had its own transaction.
      insert into events (tenant_id, kind, payload)
      select ${tenantId}, 'balance', jsonb_build_object('sku', m.sku, 'sourceId', m.source_id, 'onHand', m.on_hand, 'committed', m.committed, 'available', m.on_hand - m.committed)
      from movement m where exists (select 1 from entry e where e.idempotency_key = m.key)
      order by m.position
    )
    select * from entry
  `.execute(db);
  if (written.rows.length !== movements.length) throw new Error('recordMovements: a balance row was not locked before writing it');
  return new Map(written.rows.map((row) => [row.idempotency_key, toLedgerEntry(row)]));
}

export async function findEntry(db: DbOrTrx, tenantId: string, entryId: string): Promise<LedgerEntry | undefined> {
  const result = await sql<EntryRow>`select ${entryReturning} from ledger_entries where tenant_id = ${tenantId} and id = ${entryId}::bigint`.execute(db);
  const row = result.rows[0];
  return row ? toLedgerEntry(row) : undefined;
}
