import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Channel, Listing } from '@onhand/shared';
import type { Database } from '../db/database';
import { available } from '../domain/ledger';
import { allocationMovements, expectedFulfillmentCenter, type Allocation } from '../domain/orders';
import { routeLine, type RoutingSource } from '../domain/routing';
import { balanceKeyString, lockBalances, type BalanceKey, type BalanceRow } from '../db/repositories/balances';
import { findListingsForPage } from '../db/repositories/listings';
import type { AllocationRow, LineRow } from '../db/repositories/orders';
import { loadRoutingCatalog, type RoutingCatalog } from '../db/repositories/order-writes';
import type { TaggedMovement } from './movements';

export const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

export interface LineToRoute {
  id: string;
  position: number;
  externalLineId: string;
  channelSku: string | null;
  externalId: string | null;
  quantity: number;
}

export interface OrderToRoute {
  channel: Channel;
  orderId: string;
  shipToCountry: string;
  cancelledFirst: boolean;
  lines: readonly LineToRoute[];
}

export interface RoutedOrder {
  lines: LineRow[];
  allocations: AllocationRow[];
  movements: TaggedMovement[];
}

/** `routeOrders` for the lines of one order. */
export async function routeLines(
  trx: Transaction<Database>,
  tenantId: string,
  order: Omit<OrderToRoute, 'lines'>,
  toRoute: readonly LineToRoute[],
): Promise<RoutedOrder & { locked: Map<string, BalanceRow> }> {
  const { routed, locked } = await routeOrders(trx, tenantId, [{ ...order, lines: toRoute }]);
  return { ...routed[0]!, locked };
}

/**
 * load → decide for the lines of one or more orders (a batch written
 * together): finds each line's listing and product, locks every source's
 * stock of the SKUs involved (key order), and routes the orders one after
 * the other and each order's lines one after the other (each seeing what
 * the earlier ones took). A line with no listing or product stays
 * unmatched; a cancelled-first order's lines are routed for the record but
 * take nothing. Three statements whatever the number of orders; the caller
 * writes.
 */
export async function routeOrders(
  trx: Transaction<Database>,
  tenantId: string,
  orders: readonly OrderToRoute[],
): Promise<{ routed: RoutedOrder[]; locked: Map<string, BalanceRow> }> {
  const allLines = orders.flatMap((o) => o.lines);
  const listings = await findListingsForPage(trx, tenantId, [...new Set(orders.map((o) => o.channel.channelId))], {
    channelSkus: [...new Set(allLines.flatMap((l) => (l.channelSku ? [l.channelSku] : [])))],
    externalIds: [...new Set(allLines.flatMap((l) => (l.externalId ? [l.externalId] : [])))],
  });
  const listingOf = (channelId: string, line: LineToRoute): Listing | undefined =>
    listings.find((l) => l.channelId === channelId && line.channelSku !== null && l.channelSku === line.channelSku) ??
    listings.find((l) => l.channelId === channelId && line.externalId !== null && l.externalId === line.externalId);
  const lineSkus = [...new Set(orders.flatMap((o) => o.lines.flatMap((l) => listingOf(o.channel.channelId, l)?.sku ?? [])))];
  const { products, components, sources } = await loadRoutingCatalog(trx, tenantId, lineSkus);
  const stockSkus = [...new Set([...products.filter((p) => !p.isBundle).map((p) => p.sku), ...components.map((c) => c.component_sku)])];
  const keys: BalanceKey[] = sources.flatMap((s) => stockSkus.map((sku) => ({ sourceId: s.sourceId, sku })));
  const locked = await lockBalances(trx, tenantId, keys);
  // Routing sees what earlier lines (of this order and of the orders before it) already took.
  const projected = new Map(locked);
  const routed = orders.map((order) => routeOrder(order, { listingOf: (line) => listingOf(order.channel.channelId, line), products, components, sources, projected }));
  return { routed, locked };
}

function routeOrder(
  order: OrderToRoute,
  loaded: {
    listingOf: (line: LineToRoute) => Listing | undefined;
    products: RoutingCatalog['products'];
    components: RoutingCatalog['components'];
    sources: RoutingCatalog['sources'];
    projected: Map<string, BalanceRow>;
  },
): RoutedOrder {
  const { channel, orderId } = order;
  const { listingOf, products, components, sources, projected } = loaded;
  const lines: LineRow[] = [];
  const allocations: AllocationRow[] = [];
  const movements: TaggedMovement[] = [];
  for (const line of order.lines) {
    const base = { ...line, orderId };
    const listing = listingOf(line);
    const product = listing?.sku ? products.find((p) => p.sku === listing.sku) : undefined;
    if (!listing || !product) {
      lines.push({ ...base, listingId: listing?.listingId ?? null, sku: null, sourceId: null, reason: 'UNMATCHED', trace: [], expectedSourceId: null, state: order.cancelledFirst ? 'cancelled' : 'unmatched' });
      continue;
    }
    // What one unit of the line takes from a source: itself, or a kit's parts.
    const parts = product.isBundle
      ? components.filter((c) => c.bundle_sku === product.sku).map((c) => ({ sku: c.component_sku, perUnit: c.quantity }))
      : [{ sku: product.sku, perUnit: 1 }];
    const stockAt = (sourceId: string, sku: string): BalanceRow | undefined => projected.get(balanceKeyString({ sourceId, sku }));
    const routingSources: RoutingSource[] = sources.map((s) => ({
      sourceId: s.sourceId,
      kind: s.kind,
      isDefault: s.isDefault,
      autoFulfill: s.autoFulfill,
      shipsTo: s.shipsTo,
      priority: s.priority,
      available: parts.length === 0 ? 0 : Math.min(...parts.map((p) => Math.floor(available(stockAt(s.sourceId, p.sku) ?? { onHand: 0, committed: 0 }) / p.perUnit))),
    }));
    const decision = routeLine({ quantity: line.quantity, shipToCountry: order.shipToCountry, listing: { status: listing.status, fulfilledBy: listing.fulfilledBy }, channelSourceIds: channel.sourceIds, sources: routingSources });
    const expected = expectedFulfillmentCenter(decision, (id) => sources.find((s) => s.sourceId === id)?.kind) ?? null;
    if (order.cancelledFirst) {
      lines.push({ ...base, listingId: listing.listingId, sku: product.sku, sourceId: null, reason: decision.reason, trace: decision.trace, expectedSourceId: expected, state: 'cancelled' });
      continue;
    }
    const lineAllocations: Allocation[] = parts.map((p) => ({ sourceId: decision.sourceId, sku: p.sku, quantity: p.perUnit * line.quantity }));
    lines.push({ ...base, listingId: listing.listingId, sku: product.sku, sourceId: decision.sourceId, reason: decision.reason, trace: decision.trace, expectedSourceId: expected, state: 'allocated' });
    allocations.push(...lineAllocations.map((a) => ({ lineId: line.id, ...a })));
    const lineMovements = allocationMovements(lineAllocations).map((m) => ({ ...m, orderId, orderLineId: line.id }));
    for (const m of lineMovements) {
      const key = balanceKeyString(m);
      const current = projected.get(key);
      if (current) projected.set(key, { ...current, committed: current.committed + m.delta });
    }
    movements.push(...lineMovements);
  }
  return { lines, allocations, movements };
}
