import type { Cause } from '@onhand/shared';
import { explainNegative, type OpenAllocation } from '../domain/diagnosis';
import type { RoutingReason } from '../domain/routing';
import { findProduct } from '../db/repositories/products';
import { getSettings } from '../db/repositories/settings';
import { findSource, listSources } from '../db/repositories/sources';
import { notFound } from '../errors';
import type { TenantScope } from './context';

export async function listNegatives(scope: TenantScope): Promise<{ sku: string; sourceId: string; available: number; since: string | null }[]> {
  const rows = await scope.db
    .selectFrom('balances')
    .select(['sku', 'source_id', 'on_hand', 'committed', 'negative_since'])
    .where('tenant_id', '=', scope.tenantId)
    .whereRef('on_hand', '<', 'committed')
    .orderBy('negative_since')
    .orderBy('sku')
    .orderBy('source_id')
    .execute();
  return rows.map((r) => ({
    sku: r.sku,
    sourceId: r.source_id,
    available: Number(r.on_hand) - Number(r.committed),
    since: r.negative_since ? new Date(r.negative_since).toISOString() : null,
  }));
}

/** negatives.explain: loads the facts of one (source, sku) and lets the domain diagnose them. */
export async function explainNegativeBalance(scope: TenantScope, input: { sku: string; sourceId: string }): Promise<{ available: number; causes: Cause[] }> {
  const { db, tenantId } = scope;
  const [source, product] = await Promise.all([findSource(db, tenantId, input.sourceId), findProduct(db, tenantId, input.sku)]);
  if (!source) throw notFound('source', 'sourceId');
  if (!product) throw notFound('product', 'sku');
  const balance = await db
    .selectFrom('balances')
    .select(['on_hand', 'committed', 'last_counted_at'])
    .where('tenant_id', '=', tenantId)
    .where('source_id', '=', input.sourceId)
    .where('sku', '=', input.sku)
    .executeTakeFirst();
  if (!balance) return { available: 0, causes: [] };

  const allocationRows = await db
    .selectFrom('order_line_allocations as a')
    .innerJoin('order_lines as l', (j) => j.onRef('l.tenant_id', '=', 'a.tenant_id').onRef('l.id', '=', 'a.line_id'))
    .innerJoin('orders as o', (j) => j.onRef('o.tenant_id', '=', 'l.tenant_id').onRef('o.id', '=', 'l.order_id'))
    .select(['o.id as order_id', 'o.external_order_id', 'o.created_at', 'l.id as line_id', 'l.reason', 'l.listing_id', 'l.expected_source_id', 'a.quantity'])
    .where('a.tenant_id', '=', tenantId)
    .where('a.source_id', '=', input.sourceId)
    .where('a.sku', '=', input.sku)
    .where('l.state', '=', 'allocated')
    .orderBy('o.created_at')
    .orderBy('l.position')
    .execute();
  const lineIds = allocationRows.map((r) => r.line_id);
  const entries = lineIds.length
    ? await db
        .selectFrom('ledger_entries')
        .select(['id', 'order_line_id'])
        .where('tenant_id', '=', tenantId)
        .where('source_id', '=', input.sourceId)
        .where('sku', '=', input.sku)
        .where('bucket', '=', 'committed')
        .where('delta', '>', 0)
        .where('order_line_id', 'in', lineIds)
        .orderBy('id')
        .execute()
    : [];
  let drawdowns = db
    .selectFrom('ledger_entries')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('source_id', '=', input.sourceId)
    .where('sku', '=', input.sku)
    .where('bucket', '=', 'on_hand')
    .where('delta', '<', 0);
  if (balance.last_counted_at) drawdowns = drawdowns.where('at', '>', balance.last_counted_at);
  const drawdownRows = await drawdowns.orderBy('id').limit(200).execute();
  const sources = await listSources(db, tenantId);
  const settings = await getSettings(db, tenantId);

  const openAllocations: OpenAllocation[] = allocationRows.map((r) => {
    const allocation: OpenAllocation = {
      orderId: r.order_id,
      externalOrderId: r.external_order_id,
      lineId: r.line_id,
      quantity: r.quantity,
      reason: r.reason as RoutingReason,
      entryIds: entries.filter((e) => e.order_line_id === r.line_id).map((e) => String(e.id)),
    };
    if (r.listing_id) allocation.listingId = r.listing_id;
    if (r.expected_source_id) {
      allocation.expectedSourceId = r.expected_source_id;
      const name = sources.find((s) => s.sourceId === r.expected_source_id)?.name;
      if (name) allocation.expectedSourceName = name;
    }
    return allocation;
  });
  return explainNegative({
    sku: input.sku,
    source: { sourceId: source.sourceId, name: source.name, kind: source.kind, isDefault: source.isDefault },
    balance: { onHand: Number(balance.on_hand), committed: Number(balance.committed) },
    openAllocations,
    lastCountedAt: balance.last_counted_at ? new Date(balance.last_counted_at) : null,
    drawdownEntryIds: drawdownRows.map((r) => String(r.id)),
    settings,
    now: new Date(),
  });
}
