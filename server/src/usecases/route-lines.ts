import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Channel, Listing } from '@onhand/shared';
import type { Database } from '../db/database';
import { available } from '../domain/ledger';
import { allocationMovements, expectedFulfillmentCenter, type Allocation } from '../domain/orders';
import { routeLine, type RoutingSource } from '../domain/routing';
import { balanceKeyString, lockBalances, type BalanceKey, type BalanceRow } from '../db/repositories/balances';
import { findListingsByIdentifiers } from '../db/repositories/listings';
import type { AllocationRow, LineRow } from '../db/repositories/orders';
import { loadRoutingCatalog } from '../db/repositories/order-writes';
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

/**
 * load → decide for a set of order lines: finds each line's listing and
 * product, locks every source's stock of the SKUs involved (key order), and
 * routes the lines one after the other (each seeing what the earlier ones
 * took). A line with no listing or product stays unmatched; a cancelled-first
 * order's lines are routed for the record but take nothing. The caller writes.
 */
export async function routeLines(
  trx: Transaction<Database>,
  tenantId: string,
  order: { channel: Channel; orderId: string; shipToCountry: string; cancelledFirst: boolean },
  toRoute: readonly LineToRoute[],
): Promise<{ lines: LineRow[]; allocations: AllocationRow[]; movements: TaggedMovement[]; locked: Map<string, BalanceRow> }> {
  const { channel, orderId } = order;
  const listings = await findListingsByIdentifiers(trx, tenantId, channel.channelId, {
    channelSkus: toRoute.flatMap((l) => (l.channelSku ? [l.channelSku] : [])),
    externalIds: toRoute.flatMap((l) => (l.externalId ? [l.externalId] : [])),
  });
  const listingOf = (line: LineToRoute): Listing | undefined =>
    listings.find((l) => line.channelSku !== null && l.channelSku === line.channelSku) ??
    listings.find((l) => line.externalId !== null && l.externalId === line.externalId);
  const lineSkus = [...new Set(toRoute.flatMap((l) => listingOf(l)?.sku ?? []))];
  const { products, components, sources } = await loadRoutingCatalog(trx, tenantId, lineSkus);
  const stockSkus = [...new Set([...products.filter((p) => !p.isBundle).map((p) => p.sku), ...components.map((c) => c.component_sku)])];
  const keys: BalanceKey[] = sources.flatMap((s) => stockSkus.map((sku) => ({ sourceId: s.sourceId, sku })));
  const locked = await lockBalances(trx, tenantId, keys);
  // Routing sees what earlier lines of this order already took.
  const projected = new Map(locked);

  const lines: LineRow[] = [];
  const allocations: AllocationRow[] = [];
  const movements: TaggedMovement[] = [];
  for (const line of toRoute) {
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
  return { lines, allocations, movements, locked };
}
