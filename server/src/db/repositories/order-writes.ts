import { sql } from 'kysely';
import type { Source } from '@onhand/shared';
import type { DbOrTrx, OrderStatus } from '../database';
import type { NewEvent } from './events';
import type { AllocationRow, LineRow } from './orders';
import type { ProductRow } from './products';

// The order hot path in few round trips: what routing reads in one
// statement, and everything an ingested order writes besides the ledger in
// another. Each statement is a handful of CTEs over JSON parameters.

const parseJson = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

export interface RoutingCatalog {
  products: ProductRow[];
  components: { bundle_sku: string; component_sku: string; quantity: number }[];
  sources: Source[];
}

interface SourceJson {
  id: string;
  name: string;
  kind: Source['kind'];
  is_default: boolean;
  auto_fulfill: boolean;
  ships_to: string[] | null;
  priority: number;
}

/** The products of `skus`, the components of those that are bundles, and every source of the tenant (routing order). */
export async function loadRoutingCatalog(db: DbOrTrx, tenantId: string, skus: readonly string[]): Promise<RoutingCatalog> {
  const skuList = skus.length > 0 ? sql.join(skus) : sql`null`;
  const result = await sql<{ products: unknown; components: unknown; sources: unknown }>`
    select
      coalesce((select json_agg(json_build_object('sku', p.sku, 'title', p.title, 'isBundle', p.is_bundle))
        from products p where p.tenant_id = ${tenantId} and p.sku in (${skuList})), '[]'::json) as products,
      coalesce((select json_agg(json_build_object('bundle_sku', c.bundle_sku, 'component_sku', c.component_sku, 'quantity', c.quantity) order by c.bundle_sku, c.component_sku)
        from bundle_components c where c.tenant_id = ${tenantId} and c.bundle_sku in (${skuList})), '[]'::json) as components,
      coalesce((select json_agg(json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'is_default', s.is_default,
          'auto_fulfill', s.auto_fulfill, 'ships_to', s.ships_to, 'priority', s.priority) order by s.priority, s.name)
        from sources s where s.tenant_id = ${tenantId}), '[]'::json) as sources
  `.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('loadRoutingCatalog returned no row');
  return {
    products: parseJson(row.products as ProductRow[] | string),
    components: parseJson(row.components as RoutingCatalog['components'] | string),
    sources: parseJson(row.sources as SourceJson[] | string).map((s) => ({
      sourceId: s.id,
      name: s.name,
      kind: s.kind,
      isDefault: s.is_default,
      autoFulfill: s.auto_fulfill,
      shipsTo: s.ships_to ?? [],
      priority: s.priority,
    })),
  };
}

/**
 * Everything an ingested order writes besides its order row and the ledger,
 * in one statement: its lines, their allocations, the order's status when
 * not open, its events, and the response stored under the idempotency key.
 */
export async function writeOrderRecords(
  db: DbOrTrx,
  tenantId: string,
  records: {
    orderId: string;
    status: OrderStatus;
    lines: readonly LineRow[];
    allocations: readonly AllocationRow[];
    events: readonly NewEvent[];
    response?: { idempotencyKey: string; body: unknown } | undefined;
  },
): Promise<void> {
  const lines = records.lines.map((l) => ({
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
  const allocations = records.allocations.map((a) => ({ line_id: a.lineId, source_id: a.sourceId, sku: a.sku, quantity: a.quantity }));
  const events = records.events.map((e) => ({ kind: e.kind, payload: e.payload }));
  await sql`
    with new_lines as (
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
    ), status as (
      update orders set status = ${records.status} where tenant_id = ${tenantId} and id = ${records.orderId} and status <> ${records.status} returning 1
    ), new_events as (
      insert into events (tenant_id, kind, payload)
      select ${tenantId}, r.kind, r.payload from json_to_recordset(${JSON.stringify(events)}::json) as r(kind text, payload jsonb)
      returning 1
    ), response as (
      update idempotency_keys set response = ${records.response ? JSON.stringify(records.response.body) : null}::jsonb
      where tenant_id = ${tenantId} and key = ${records.response?.idempotencyKey ?? null} returning 1
    )
    select (select count(*) from new_lines) as lines, (select count(*) from new_allocations) as allocations,
      (select count(*) from status) as status, (select count(*) from new_events) as events, (select count(*) from response) as responses
  `.execute(db);
}
