import type { z } from 'zod';
import type { Order, ordersIngestInput } from '@onhand/shared';
import { orderStatus } from '../domain/orders';
import { findChannel } from '../db/repositories/channels';
import { findChannelLockingExternalOrder, insertAllocations, insertOrderOnce, lockOrder, lockOrderByExternalId, findLines, rewriteRoutedLine, toApiOrder } from '../db/repositories/orders';
import { writeOrderRecords } from '../db/repositories/order-writes';
import { claimKey, storeResponse } from '../db/repositories/idempotency';
import { AppError, notFound } from '../errors';
import { insertEvents, type NewEvent } from '../db/repositories/events';
import type { TenantScope } from './context';
import { applyMovements } from './movements';
import { idempotent, inTransaction, replay, requestHash, withoutKey } from './transaction';
import { newId, routeLines } from './route-lines';

type IngestInput = z.infer<typeof ordersIngestInput>;


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
    // The channel, and the external order's lock (ingest and cancel of one
    // order serialise), in one round trip.
    const channel = await findChannelLockingExternalOrder(trx, tenantId, input.channelId, input.externalOrderId);
    if (!channel) throw notFound('channel', 'channelId');

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

    const lineInputs = input.lines.map((line, position) => ({
      id: newId('lin'),
      position,
      externalLineId: line.externalLineId,
      channelSku: line.channelSku ?? null,
      externalId: line.externalId ?? null,
      quantity: line.quantity,
    }));
    const { lines, allocations, movements, locked } = await routeLines(trx, tenantId, { channel, orderId, shipToCountry: input.shipTo.country, cancelledFirst }, lineInputs);
    const status = orderStatus(lines.map((l) => l.state));
    const result = toApiOrder({ ...order, status }, lines);
    await writeOrderRecords(trx, tenantId, {
      orderId,
      status,
      lines,
      allocations,
      events: [orderEvent(result)],
      response: input.idempotencyKey ? { idempotencyKey: input.idempotencyKey, body: result } : undefined,
    });
    await applyMovements(trx, tenantId, locked, movements, { actor: scope.actor, idempotencyKey: input.idempotencyKey, lockedCoversAllSources: true });
    return result;
  });
}

/** What subscribers hear about an order: enough to know which rows to refresh. */
export const orderEvent = (order: Order): NewEvent => ({
  kind: 'order',
  payload: { orderId: order.orderId, status: order.status, skus: [...new Set(order.lines.flatMap((l) => (l.sku ? [l.sku] : [])))] },
});

/**
 * orders.rematch: lines held as unmatched (their listing or product was not
 * known when the order came) are routed now, if onhand knows them since —
 * e.g. after the listing was imported. Lines still unknown stay held.
 */
export async function rematchOrder(scope: TenantScope, input: { orderId: string; idempotencyKey: string }): Promise<Order> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'orders.rematch', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      const { tenantId } = scope;
      const order = await lockOrder(trx, tenantId, input.orderId);
      if (!order) throw notFound('order', 'orderId');
      const channel = await findChannel(trx, tenantId, order.channelId);
      if (!channel) throw notFound('channel', 'orderId');
      const held = (await findLines(trx, tenantId, [order.id])).filter((l) => l.state === 'unmatched');
      if (held.length > 0) {
        const routed = await routeLines(trx, tenantId, { channel, orderId: order.id, shipToCountry: order.shipToCountry, cancelledFirst: false }, held);
        for (const line of routed.lines) if (line.state !== 'unmatched') await rewriteRoutedLine(trx, tenantId, line);
        await applyMovements(trx, tenantId, routed.locked, routed.movements, { actor: scope.actor, idempotencyKey: input.idempotencyKey });
        await insertAllocations(trx, tenantId, routed.allocations);
      }
      const result = toApiOrder(order, await findLines(trx, tenantId, [order.id]));
      await insertEvents(trx, tenantId, [orderEvent(result)]);
      return result;
    }),
  );
}
