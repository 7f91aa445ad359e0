import { sql } from 'kysely';
import type { Order, OrderLine } from '@onhand/shared';
import type { DbOrTrx, LineState, OrderStatus } from '../database';

export interface OrderRow {
  id: string;
  channelId: string;
  externalOrderId: string;
  placedAt: string;
  shipToCountry: string;
  status: OrderStatus;
  requestHash: string;
}

export interface LineRow {
  id: string;
  orderId: string;
  position: number;
  externalLineId: string;
  channelSku: string | null;
  externalId: string | null;
  listingId: string | null;
  sku: string | null;
  quantity: number;
  sourceId: string | null;
  reason: string;
  trace: { sourceId: string; skipped: string }[];
  expectedSourceId: string | null;
  state: LineState;
}

export interface AllocationRow {
  lineId: string;
  sourceId: string;
  sku: string;
  quantity: number;
}

const orderColumns = ['id', 'channel_id', 'external_order_id', 'placed_at', 'ship_to_country', 'status', 'request_hash'] as const;

function toOrderRow(r: { id: string; channel_id: string; external_order_id: string; placed_at: Date | string; ship_to_country: string; status: OrderStatus; request_hash: string }): OrderRow {
  return {
    id: r.id,
    channelId: r.channel_id,
    externalOrderId: r.external_order_id,
    placedAt: new Date(r.placed_at).toISOString(),
    shipToCountry: r.ship_to_country,
    status: r.status,
    requestHash: r.request_hash,
  };
}

/**
 * Serialises everything that concerns one external order (ingest, cancel)
 * for the rest of the transaction, even before the order row exists: a
 * cancel racing its own order's first delivery must see it, or leave a
 * tombstone the ingest sees.
 */
export async function lockExternalOrder(db: DbOrTrx, tenantId: string, channelId: string, externalOrderId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${externalOrderLockKey(tenantId, channelId, externalOrderId)}, 0))`.execute(db);
}

/**
 * The text whose hash names an external order's lock (`lockExternalOrder`;
 * a batch of ingested orders takes the same locks, order-batches.ts).
 */
export const externalOrderLockKey = (tenantId: string, channelId: string, externalOrderId: string): string => JSON.stringify([tenantId, channelId, externalOrderId]);

export async function lockOrderByExternalId(db: DbOrTrx, tenantId: string, channelId: string, externalOrderId: string): Promise<OrderRow | undefined> {
  const row = await db
    .selectFrom('orders')
    .select(orderColumns)
    .where('tenant_id', '=', tenantId)
    .where('channel_id', '=', channelId)
    .where('external_order_id', '=', externalOrderId)
    .forUpdate()
    .executeTakeFirst();
  return row ? toOrderRow(row) : undefined;
}

export async function lockOrder(db: DbOrTrx, tenantId: string, orderId: string): Promise<OrderRow | undefined> {
  const row = await db.selectFrom('orders').select(orderColumns).where('tenant_id', '=', tenantId).where('id', '=', orderId).forUpdate().executeTakeFirst();
  return row ? toOrderRow(row) : undefined;
}

export async function findOrder(db: DbOrTrx, tenantId: string, orderId: string): Promise<OrderRow | undefined> {
  const row = await db.selectFrom('orders').select(orderColumns).where('tenant_id', '=', tenantId).where('id', '=', orderId).executeTakeFirst();
  return row ? toOrderRow(row) : undefined;
}

export async function setOrderStatus(db: DbOrTrx, tenantId: string, orderId: string, status: OrderStatus): Promise<void> {
  await db.updateTable('orders').set({ status }).where('tenant_id', '=', tenantId).where('id', '=', orderId).execute();
}

export async function findLines(db: DbOrTrx, tenantId: string, orderIds: readonly string[]): Promise<LineRow[]> {
  if (orderIds.length === 0) return [];
  const rows = await db.selectFrom('order_lines').selectAll().where('tenant_id', '=', tenantId).where('order_id', 'in', orderIds).orderBy('order_id').orderBy('position').execute();
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    position: r.position,
    externalLineId: r.external_line_id,
    channelSku: r.channel_sku,
    externalId: r.external_id,
    listingId: r.listing_id,
    sku: r.sku,
    quantity: r.quantity,
    sourceId: r.source_id,
    reason: r.reason,
    trace: typeof r.trace === 'string' ? (JSON.parse(r.trace) as LineRow['trace']) : r.trace,
    expectedSourceId: r.expected_source_id,
    state: r.state,
  }));
}

export async function updateLine(db: DbOrTrx, tenantId: string, lineId: string, patch: { state?: LineState; sourceId?: string | null; reason?: string }): Promise<void> {
  await db
    .updateTable('order_lines')
    .set({
      ...(patch.state !== undefined ? { state: patch.state } : {}),
      ...(patch.sourceId !== undefined ? { source_id: patch.sourceId } : {}),
      ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', lineId)
    .execute();
}

export async function insertAllocations(db: DbOrTrx, tenantId: string, allocations: readonly AllocationRow[]): Promise<void> {
  if (allocations.length === 0) return;
  await db
    .insertInto('order_line_allocations')
    .values(allocations.map((a) => ({ tenant_id: tenantId, line_id: a.lineId, source_id: a.sourceId, sku: a.sku, quantity: a.quantity })))
    .execute();
}

export async function findAllocations(db: DbOrTrx, tenantId: string, lineIds: readonly string[]): Promise<AllocationRow[]> {
  if (lineIds.length === 0) return [];
  const rows = await db
    .selectFrom('order_line_allocations')
    .select(['line_id', 'source_id', 'sku', 'quantity'])
    .where('tenant_id', '=', tenantId)
    .where('line_id', 'in', lineIds)
    .execute();
  return rows.map((r) => ({ lineId: r.line_id, sourceId: r.source_id, sku: r.sku, quantity: r.quantity }));
}

export async function deleteAllocations(db: DbOrTrx, tenantId: string, lineIds: readonly string[]): Promise<void> {
  if (lineIds.length === 0) return;
  await db.deleteFrom('order_line_allocations').where('tenant_id', '=', tenantId).where('line_id', 'in', lineIds).execute();
}

/** Records a cancel for an order not seen yet; true when it is new. */
export async function insertTombstone(db: DbOrTrx, tenantId: string, channelId: string, externalOrderId: string): Promise<boolean> {
  const row = await db
    .insertInto('order_tombstones')
    .values({ tenant_id: tenantId, channel_id: channelId, external_order_id: externalOrderId })
    .onConflict((oc) => oc.columns(['tenant_id', 'channel_id', 'external_order_id']).doNothing())
    .returning('external_order_id')
    .executeTakeFirst();
  return row !== undefined;
}

export function toApiOrder(order: OrderRow, lines: readonly LineRow[]): Order {
  return {
    orderId: order.id,
    channelId: order.channelId,
    externalOrderId: order.externalOrderId,
    placedAt: order.placedAt,
    shipTo: { country: order.shipToCountry },
    status: order.status,
    lines: lines.map((l): OrderLine => {
      const line: OrderLine = {
        lineId: l.id,
        externalLineId: l.externalLineId,
        quantity: l.quantity,
        reason: l.reason as OrderLine['reason'],
        trace: l.trace,
        state: l.state,
      };
      if (l.sku !== null) line.sku = l.sku;
      if (l.listingId !== null) line.listingId = l.listingId;
      if (l.sourceId !== null) line.sourceId = l.sourceId;
      return line;
    }),
  };
}

export async function listOrders(
  db: DbOrTrx,
  tenantId: string,
  filter: { status?: OrderStatus | undefined; sku?: string | undefined; before?: { createdAt: string; id: string } | undefined; limit: number },
) {
  // The cursor keeps created_at's full (microsecond) precision as text: a
  // millisecond ISO string would skip orders created in the same millisecond.
  let query = db.selectFrom('orders').select([...orderColumns, sql<string>`created_at::text`.as('created_at_text')]).where('tenant_id', '=', tenantId);
  if (filter.status) query = query.where('status', '=', filter.status);
  // Orders with a line for the SKU, found from the lines' index by SKU (migration 0007).
  const { sku } = filter;
  if (sku !== undefined) query = query.where('id', 'in', (eb) => eb.selectFrom('order_lines').select('order_id').where('tenant_id', '=', tenantId).where('sku', '=', sku));
  if (filter.before) {
    const { createdAt, id } = filter.before;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id})`);
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({ ...toOrderRow(r), createdAt: r.created_at_text }));
}

/** Writes a line's routing anew (a held, unmatched line that now matched). */
export async function rewriteRoutedLine(db: DbOrTrx, tenantId: string, line: LineRow): Promise<void> {
  await db
    .updateTable('order_lines')
    .set({
      listing_id: line.listingId,
      sku: line.sku,
      source_id: line.sourceId,
      reason: line.reason,
      trace: JSON.stringify(line.trace),
      expected_source_id: line.expectedSourceId,
      state: line.state,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', line.id)
    .execute();
}
