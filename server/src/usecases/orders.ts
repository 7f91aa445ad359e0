import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Listing, Order, Source, ordersIngestInput } from '@onhand/shared';
import { available } from '../domain/ledger';
import { allocationMovements, expectedFulfillmentCenter, orderStatus, type Allocation } from '../domain/orders';
import { routeLine, type RoutingSource } from '../domain/routing';
import { balanceKeyString, lockBalances, type BalanceKey, type BalanceRow } from '../db/repositories/balances';
import { findChannel } from '../db/repositories/channels';
import { findListingsByIdentifiers } from '../db/repositories/listings';
import { lockExternalOrder, insertAllocations, insertLines, insertOrderOnce, lockOrderByExternalId, findLines, toApiOrder, type AllocationRow, type LineRow } from '../db/repositories/orders';
import { findComponents, findProducts } from '../db/repositories/products';
import { listSources } from '../db/repositories/sources';
import { claimKey, storeResponse } from '../db/repositories/idempotency';
import { AppError, notFound } from '../errors';
import { insertEvents, type NewEvent } from '../db/repositories/events';
import type { TenantScope } from './context';
import { applyMovements } from './movements';
import { inTransaction, replay, requestHash, withoutKey } from './transaction';

type IngestInput = z.infer<typeof ordersIngestInput>;

const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/**
 * orders.ingest: idempotent on (channel, external order id) even without a
 * key. Loads listings, products and every source's stock (locked in key
 * order), routes each line with the pure routing rules, commits the units at
 * the chosen source, and writes the order, its lines and the ledger entries
 * in one transaction. Unknown listings are held as unmatched lines; a cancel
 * that came first (tombstone) makes the order arrive cancelled, taking nothing.
 */
export async function ingestOrder(scope: TenantScope, input: IngestInput): Promise<Order> {
  const { tenantId } = scope;
  const hash = requestHash(withoutKey(input));
  return inTransaction(scope.db, async (trx) => {
    if (input.idempotencyKey) {
      const claim = await claimKey(trx, tenantId, input.idempotencyKey, 'orders.ingest', hash);
      if (!claim.claimed) return replay<Order>(trx, tenantId, input.idempotencyKey, 'orders.ingest', hash);
    }
    const channel = await findChannel(trx, tenantId, input.channelId);
    if (!channel) throw notFound('channel', 'channelId');

    await lockExternalOrder(trx, tenantId, channel.channelId, input.externalOrderId);
    const orderId = newId('ord');
    const order = { id: orderId, channelId: channel.channelId, externalOrderId: input.externalOrderId, placedAt: new Date(input.placedAt).toISOString(), shipToCountry: input.shipTo.country, status: 'open' as const, requestHash: hash };
    const { inserted, tombstoned: cancelledFirst } = await insertOrderOnce(trx, tenantId, order);
    if (!inserted) {
      // Delivered before: answer with the order as it stands, write nothing.
      const existing = await lockOrderByExternalId(trx, tenantId, channel.channelId, input.externalOrderId);
      if (!existing) throw new AppError('CONFLICT', 'the order is being written by another request; retry');
      const result = toApiOrder(existing, await findLines(trx, tenantId, [existing.id]));
      if (input.idempotencyKey) await storeResponse(trx, tenantId, input.idempotencyKey, result);
      return result;
    }

    const listings = await findListingsByIdentifiers(trx, tenantId, channel.channelId, {
      channelSkus: input.lines.flatMap((l) => (l.channelSku ? [l.channelSku] : [])),
      externalIds: input.lines.flatMap((l) => (l.externalId ? [l.externalId] : [])),
    });
    const listingOf = (line: IngestInput['lines'][number]): Listing | undefined =>
      listings.find((l) => line.channelSku !== undefined && l.channelSku === line.channelSku) ??
      listings.find((l) => line.externalId !== undefined && l.externalId === line.externalId);
    const lineSkus = [...new Set(input.lines.flatMap((l) => listingOf(l)?.sku ?? []))];
    const products = await findProducts(trx, tenantId, lineSkus);
    const components = await findComponents(trx, tenantId, products.filter((p) => p.isBundle).map((p) => p.sku));
    const sources = await listSources(trx, tenantId);
    const stockSkus = [...new Set([...products.filter((p) => !p.isBundle).map((p) => p.sku), ...components.map((c) => c.component_sku)])];
    const keys: BalanceKey[] = sources.flatMap((s) => stockSkus.map((sku) => ({ sourceId: s.sourceId, sku })));
    const locked = await lockBalances(trx, tenantId, keys);
    // Routing sees what earlier lines of this order already took.
    const projected = new Map(locked);

    const lines: LineRow[] = [];
    const allocations: AllocationRow[] = [];
    const movements = [];
    for (const [position, line] of input.lines.entries()) {
      const lineId = newId('lin');
      const base = { id: lineId, orderId, position, externalLineId: line.externalLineId, channelSku: line.channelSku ?? null, externalId: line.externalId ?? null, quantity: line.quantity };
      const listing = listingOf(line);
      const product = listing?.sku ? products.find((p) => p.sku === listing.sku) : undefined;
      if (!listing || !product) {
        lines.push({ ...base, listingId: listing?.listingId ?? null, sku: null, sourceId: null, reason: 'UNMATCHED', trace: [], expectedSourceId: null, state: cancelledFirst ? 'cancelled' : 'unmatched' });
        continue;
      }
      // What one unit of the line takes from a source: itself, or a kit's parts.
      const parts = product.isBundle
        ? components.filter((c) => c.bundle_sku === product.sku).map((c) => ({ sku: c.component_sku, perUnit: c.quantity }))
        : [{ sku: product.sku, perUnit: 1 }];
      const stockAt = (sourceId: string, sku: string): BalanceRow | undefined => projected.get(balanceKeyString({ sourceId, sku }));
      const routingSources: RoutingSource[] = sources.map((s: Source) => ({
        sourceId: s.sourceId,
        kind: s.kind,
        isDefault: s.isDefault,
        autoFulfill: s.autoFulfill,
        shipsTo: s.shipsTo,
        priority: s.priority,
        available: parts.length === 0 ? 0 : Math.min(...parts.map((p) => Math.floor(available(stockAt(s.sourceId, p.sku) ?? { onHand: 0, committed: 0 }) / p.perUnit))),
      }));
      const decision = routeLine({ quantity: line.quantity, shipToCountry: input.shipTo.country, listing: { status: listing.status, fulfilledBy: listing.fulfilledBy }, channelSourceIds: channel.sourceIds, sources: routingSources });
      const expected = expectedFulfillmentCenter(decision, (id) => sources.find((s) => s.sourceId === id)?.kind) ?? null;
      if (cancelledFirst) {
        lines.push({ ...base, listingId: listing.listingId, sku: product.sku, sourceId: null, reason: decision.reason, trace: decision.trace, expectedSourceId: expected, state: 'cancelled' });
        continue;
      }
      const lineAllocations: Allocation[] = parts.map((p) => ({ sourceId: decision.sourceId, sku: p.sku, quantity: p.perUnit * line.quantity }));
      lines.push({ ...base, listingId: listing.listingId, sku: product.sku, sourceId: decision.sourceId, reason: decision.reason, trace: decision.trace, expectedSourceId: expected, state: 'allocated' });
      allocations.push(...lineAllocations.map((a) => ({ lineId, ...a })));
      const lineMovements = allocationMovements(lineAllocations).map((m) => ({ ...m, orderId, orderLineId: lineId }));
      for (const m of lineMovements) {
        const key = balanceKeyString(m);
        const current = projected.get(key);
        if (current) projected.set(key, { ...current, committed: current.committed + m.delta });
      }
      movements.push(...lineMovements);
    }
    await insertLines(trx, tenantId, lines);
    await applyMovements(trx, tenantId, locked, movements, { actor: scope.actor, idempotencyKey: input.idempotencyKey });
    await insertAllocations(trx, tenantId, allocations);
    const status = orderStatus(lines.map((l) => l.state));
    if (status !== 'open') await trx.updateTable('orders').set({ status }).where('tenant_id', '=', tenantId).where('id', '=', orderId).execute();
    const result = toApiOrder({ ...order, status }, lines);
    await insertEvents(trx, tenantId, [orderEvent(result)]);
    if (input.idempotencyKey) await storeResponse(trx, tenantId, input.idempotencyKey, result);
    return result;
  });
}

/** What subscribers hear about an order: enough to know which rows to refresh. */
export const orderEvent = (order: Order): NewEvent => ({
  kind: 'order',
  payload: { orderId: order.orderId, status: order.status, skus: [...new Set(order.lines.flatMap((l) => (l.sku ? [l.sku] : [])))] },
});
