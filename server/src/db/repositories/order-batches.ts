import { sql } from 'kysely';
import type { Channel } from '@onhand/shared';
import type { DbOrTrx, OrderStatus } from '../database';
import type { NewEvent } from './events';
import type { AllocationRow, LineRow, OrderRow } from './orders';

// A batch of ingested orders (group commit, usecases/order-batches.ts) in a
// fixed number of statements whatever its size. Every read or write of a row
// goes through a unique index (correlated lookups, upserts), so no plan
// depends on statistics.

const parseJson = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/**
 * Claims the batch's idempotency keys, takes the external orders' locks (the
 * ones cancels take, `lockExternalOrder`, named by `externalOrderLockKey`) in the order given, and reads the
 * channels. The orders themselves are read by `findExternalOrders` in the
 * next statement, whose snapshot sees what the lock holders committed.
 */
export async function admitOrders(
  db: DbOrTrx,
  tenantId: string,
  batch: { procedure: string; claims: readonly { key: string; requestHash: string }[]; lockKeys: readonly string[]; channelIds: readonly string[] },
): Promise<{ claimedKeys: Set<string>; channels: Map<string, Channel> }> {
  const result = await sql<{ claimed: unknown; channels: unknown; locked: unknown }>`
    with claim as (
      insert into idempotency_keys (tenant_id, key, procedure, request_hash)
      select ${tenantId}, c.key, ${batch.procedure}, c.request_hash
      from unnest(${batch.claims.map((c) => c.key)}::text[], ${batch.claims.map((c) => c.requestHash)}::text[]) as c(key, request_hash)
      order by c.key
      on conflict (tenant_id, key) do nothing
      returning key
    ), locked as (
      select count(pg_advisory_xact_lock(hashtextextended(l.key, 0))) as n from unnest(${batch.lockKeys}::text[]) as l(key)
    )
    select (select coalesce(json_agg(key), '[]') from claim) as claimed,
      (select n from locked) as locked,
      coalesce((select json_agg(json_build_object('channelId', c.id, 'marketplace', c.marketplace, 'region', c.region, 'name', c.name,
        'sourceIds', coalesce((select json_agg(cs.source_id order by cs.position) from channel_sources cs where cs.tenant_id = c.tenant_id and cs.channel_id = c.id), '[]'::json)))
        from channels c where c.tenant_id = ${tenantId} and c.id = any(${batch.channelIds}::text[])), '[]') as channels
  `.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('admitOrders returned no row');
  return {
    claimedKeys: new Set(parseJson(row.claimed as string[])),
    channels: new Map(parseJson(row.channels as Channel[]).map((c) => [c.channelId, c])),
  };
}

/** For each (channel, external order id), in the order given: the order onhand has for it, and whether a cancel came first. */
export async function findExternalOrders(
  db: DbOrTrx,
  tenantId: string,
  refs: readonly { channelId: string; externalOrderId: string }[],
): Promise<{ existingOrderId: string | null; tombstoned: boolean }[]> {
  if (refs.length === 0) return [];
  const result = await sql<{ position: string | number; existing_id: string | null; tombstoned: boolean }>`
    select r.position,
      (select o.id from orders o where o.tenant_id = ${tenantId} and o.channel_id = r.channel_id and o.external_order_id = r.external_order_id) as existing_id,
      exists (select 1 from order_tombstones t where t.tenant_id = ${tenantId} and t.channel_id = r.channel_id and t.external_order_id = r.external_order_id) as tombstoned
    from unnest(${refs.map((r) => r.channelId)}::text[], ${refs.map((r) => r.externalOrderId)}::text[]) with ordinality as r(channel_id, external_order_id, position)
    order by r.position
  `.execute(db);
  return result.rows.map((r) => ({ existingOrderId: r.existing_id, tombstoned: r.tombstoned }));
}

/**
 * Everything a batch of ingested orders writes besides the ledger, in one
 * statement: the orders (with their status after routing), their lines and
 * allocations, their events, the responses stored under their keys, and the
 * release of keys claimed by refused requests.
 */
export async function writeIngestedOrders(
  db: DbOrTrx,
  tenantId: string,
  write: {
    /** The procedure the responses' keys were claimed for. */
    procedure: string;
    orders: readonly (OrderRow & { status: OrderStatus })[];
    lines: readonly LineRow[];
    allocations: readonly AllocationRow[];
    events: readonly NewEvent[];
    responses: readonly { key: string; requestHash: string; body: unknown }[];
    releasedKeys: readonly string[];
  },
): Promise<void> {
  const orders = write.orders.map((o) => ({
    id: o.id,
    channel_id: o.channelId,
    external_order_id: o.externalOrderId,
    placed_at: o.placedAt,
    ship_to_country: o.shipToCountry,
    status: o.status,
    request_hash: o.requestHash,
  }));
  const lines = write.lines.map((l) => ({
    id: l.id,
    order_id: l.orderId,
    position: l.position,
    external_line_id: l.externalLineId,
    channel_sku: l.channelSku,
    external_id: l.externalId,
    listing_id: l.listingId,
    sku: l.sku,
    quantity: l.quantity,
    source_id: l.sourceId,
    reason: l.reason,
    trace: l.trace,
    expected_source_id: l.expectedSourceId,
    state: l.state,
  }));
  const allocations = write.allocations.map((a) => ({ line_id: a.lineId, source_id: a.sourceId, sku: a.sku, quantity: a.quantity }));
  const events = write.events.map((e) => ({ kind: e.kind, payload: e.payload }));
  const responses = write.responses.map((r) => ({ key: r.key, request_hash: r.requestHash, response: r.body }));
  const released =
    write.releasedKeys.length === 0 ? sql`` : sql`released as (delete from idempotency_keys where tenant_id = ${tenantId} and key = any(${write.releasedKeys}::text[])),`;
  await sql`
    with ${released}
    new_orders as (
      insert into orders (tenant_id, id, channel_id, external_order_id, placed_at, ship_to_country, status, request_hash)
      select ${tenantId}, r.id, r.channel_id, r.external_order_id, r.placed_at, r.ship_to_country, r.status, r.request_hash
      from json_to_recordset(${JSON.stringify(orders)}::json) as r(id text, channel_id text, external_order_id text, placed_at timestamptz, ship_to_country text, status text, request_hash text)
      returning 1
    ), new_lines as (
      insert into order_lines (tenant_id, id, order_id, position, external_line_id, channel_sku, external_id, listing_id, sku, quantity, source_id, reason, trace, expected_source_id, state)
      select ${tenantId}, r.id, r.order_id, r.position, r.external_line_id, r.channel_sku, r.external_id, r.listing_id, r.sku, r.quantity, r.source_id, r.reason, coalesce(r.trace, '[]'::jsonb), r.expected_source_id, r.state
      from json_to_recordset(${JSON.stringify(lines)}::json) as r(id text, order_id text, position integer, external_line_id text, channel_sku text, external_id text,
        listing_id text, sku text, quantity integer, source_id text, reason text, trace jsonb, expected_source_id text, state text)
      returning 1
    ), new_allocations as (
      insert into order_line_allocations (tenant_id, line_id, source_id, sku, quantity)
      select ${tenantId}, r.line_id, r.source_id, r.sku, r.quantity
      from json_to_recordset(${JSON.stringify(allocations)}::json) as r(line_id text, source_id text, sku text, quantity integer)
      returning 1
    ), new_events as (
      insert into events (tenant_id, kind, payload)
      select ${tenantId}, r.kind, r.payload from json_to_recordset(${JSON.stringify(events)}::json) as r(kind text, payload jsonb)
      returning 1
    ), stored as (
      insert into idempotency_keys (tenant_id, key, procedure, request_hash, response)
      select ${tenantId}, r.key, ${write.procedure}, r.request_hash, r.response
      from json_to_recordset(${JSON.stringify(responses)}::json) as r(key text, request_hash text, response jsonb)
      on conflict (tenant_id, key) do update set response = excluded.response
      returning 1
    )
    select (select count(*) from new_orders) as orders, (select count(*) from new_lines) as lines, (select count(*) from new_allocations) as allocations,
      (select count(*) from new_events) as events, (select count(*) from stored) as responses
  `.execute(db);
}
