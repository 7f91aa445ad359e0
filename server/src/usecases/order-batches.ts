import type { z } from 'zod';
import type { Order, ordersIngestInput } from '@onhand/shared';
import { orderStatus } from '../domain/orders';
import type { Db } from '../db/database';
import { admitOrders, findExternalOrders, writeIngestedOrders } from '../db/repositories/order-batches';
import { externalOrderLockKey, findLines, lockOrderByExternalId, toApiOrder, type OrderRow } from '../db/repositories/orders';
import { storeResponse } from '../db/repositories/idempotency';
import { notFound } from '../errors';
import type { TenantScope } from './context';
import { perTenantGroupCommit, settleRefusal, type Settled } from './group-commit';
import { applyMovements, type TaggedMovement } from './movements';
import { newId, routeOrders, type OrderToRoute } from './route-lines';
import { inTransaction, replay, requestHash, withoutKey } from './transaction';
import type { NewEvent } from '../db/repositories/events';

type IngestInput = z.infer<typeof ordersIngestInput>;

/** One marketplace order waiting for its batch. */
interface OrderDelivery {
  actor: string;
  input: IngestInput;
  requestHash: string;
}

const procedure = 'orders.ingest';
// As for stock changes (stock-changes.ts): while one batch waits on the
// database, the next gathers what arrives meanwhile.
const lanesPerTenant = 2;
const ordersPerBatchMax = 64;

const groupCommitOf = perTenantGroupCommit<OrderDelivery, Order>({
  write: (db, tenantId, deliveries) => writeOrders(db, tenantId, deliveries),
  // One delivery of an external order, and one use of a key, per batch.
  conflictKeys: (d) => [`order\u0000${d.input.channelId}\u0000${d.input.externalOrderId}`, ...(d.input.idempotencyKey ? [`key\u0000${d.input.idempotencyKey}`] : [])],
  lanes: lanesPerTenant,
  itemsPerBatchMax: ordersPerBatchMax,
});

/**
 * orders.ingest: idempotent on (channel, external order id) even without a
 * key. Orders of one tenant delivered together are written together (group
 * commit): one transaction routes them one after the other, each seeing the
 * stock the ones before it took, and writes them all in a fixed number of
 * statements; each keeps its own answer and error.
 */
export function ingestOrder(scope: TenantScope, input: IngestInput): Promise<Order> {
  return groupCommitOf(scope.db).submit(scope.tenantId, { actor: scope.actor, input, requestHash: requestHash(withoutKey(input)) });
}

/**
 * load → decide → write for a batch: claim keys, lock the external orders
 * (key order) and read the channels; read which orders exist or were
 * cancelled first; route (listings, catalogue, balances locked in key
 * order); write orders, lines, allocations, events and responses in one
 * statement, then the ledger and the published quantities. Repeats (an
 * order delivered before, a key used before) answer with what stands.
 */
async function writeOrders(db: Db, tenantId: string, deliveries: readonly OrderDelivery[]): Promise<Settled<Order>[]> {
  return inTransaction(db, async (trx) => {
    const outcomes: Settled<Order>[] = [];
    const keyed = deliveries.flatMap((d) => (d.input.idempotencyKey ? [{ key: d.input.idempotencyKey, requestHash: d.requestHash }] : []));
    const admitted = await admitOrders(trx, tenantId, {
      procedure,
      claims: keyed,
      lockKeys: [...new Set(deliveries.map((d) => externalOrderLockKey(tenantId, d.input.channelId, d.input.externalOrderId)))].sort(),
      channelIds: [...new Set(deliveries.map((d) => d.input.channelId))],
    });

    const repeatedKeys: number[] = [];
    const releasedKeys: string[] = [];
    const toFind: number[] = [];
    deliveries.forEach((d, index) => {
      const key = d.input.idempotencyKey;
      if (key && !admitted.claimedKeys.has(key)) return void repeatedKeys.push(index);
      if (!admitted.channels.has(d.input.channelId)) {
        outcomes[index] = { ok: false, error: notFound('channel', 'channelId') };
        if (key) releasedKeys.push(key);
        return;
      }
      toFind.push(index);
    });
    const found = await findExternalOrders(
      trx,
      tenantId,
      toFind.map((index) => deliveries[index]!.input),
    );

    const delivered: number[] = [];
    const fresh: { index: number; order: OrderRow; route: OrderToRoute }[] = [];
    toFind.forEach((index, i) => {
      const { input, requestHash: hash } = deliveries[index]!;
      const { existingOrderId, tombstoned } = found[i]!;
      if (existingOrderId !== null) return void delivered.push(index);
      const orderId = newId('ord');
      const channel = admitted.channels.get(input.channelId)!;
      fresh.push({
        index,
        order: { id: orderId, channelId: channel.channelId, externalOrderId: input.externalOrderId, placedAt: new Date(input.placedAt).toISOString(), shipToCountry: input.shipTo.country, status: 'open', requestHash: hash },
        route: {
          channel,
          orderId,
          shipToCountry: input.shipTo.country,
          cancelledFirst: tombstoned,
          lines: input.lines.map((line, position) => ({
            id: newId('lin'),
            position,
            externalLineId: line.externalLineId,
            channelSku: line.channelSku ?? null,
            externalId: line.externalId ?? null,
            quantity: line.quantity,
          })),
        },
      });
    });

    // Delivered before: the order as it stands, nothing written (but the key's
    // answer). Its row is locked before any balance, as every use-case that
    // changes an order does (order first, then its stock).
    for (const index of delivered) {
      const { input } = deliveries[index]!;
      const existing = await lockOrderByExternalId(trx, tenantId, input.channelId, input.externalOrderId);
      if (!existing) throw new Error(`order ${input.externalOrderId} vanished while its external order was locked`);
      const result = toApiOrder(existing, await findLines(trx, tenantId, [existing.id]));
      if (input.idempotencyKey) await storeResponse(trx, tenantId, input.idempotencyKey, result);
      outcomes[index] = { ok: true, value: result };
    }
    const { routed, locked } = fresh.length > 0 ? await routeOrders(trx, tenantId, fresh.map((f) => f.route)) : { routed: [], locked: new Map() };
    const events: NewEvent[] = [];
    const responses: { key: string; requestHash: string; body: unknown }[] = [];
    const movements: TaggedMovement[] = [];
    const orders = fresh.map((f, i) => {
      const { lines, movements: orderMovements } = routed[i]!;
      const delivery = deliveries[f.index]!;
      const status = orderStatus(lines.map((l) => l.state));
      const result = toApiOrder({ ...f.order, status }, lines);
      outcomes[f.index] = { ok: true, value: result };
      events.push(orderEvent(result));
      if (delivery.input.idempotencyKey) responses.push({ key: delivery.input.idempotencyKey, requestHash: delivery.requestHash, body: result });
      movements.push(...orderMovements.map((m) => ({ ...m, actor: delivery.actor, idempotencyKey: delivery.input.idempotencyKey })));
      return { ...f.order, status };
    });
    if (orders.length > 0 || releasedKeys.length > 0) {
      await writeIngestedOrders(trx, tenantId, {
        procedure,
        orders,
        lines: routed.flatMap((r) => r.lines),
        allocations: routed.flatMap((r) => r.allocations),
        events,
        responses,
        releasedKeys,
      });
    }
    await applyMovements(trx, tenantId, locked, movements, { actor: deliveries[0]!.actor, lockedCoversAllSources: true });

    // A key used before answers with its first result, or CONFLICT for another payload.
    for (const index of repeatedKeys) {
      const delivery = deliveries[index]!;
      outcomes[index] = await settleRefusal(() => replay<Order>(trx, tenantId, delivery.input.idempotencyKey!, procedure, delivery.requestHash));
    }
    return outcomes;
  });
}

/** What subscribers hear about an order: enough to know which rows to refresh. */
export const orderEvent = (order: Order): NewEvent => ({
  kind: 'order',
  payload: { orderId: order.orderId, status: order.status, skus: [...new Set(order.lines.flatMap((l) => (l.sku ? [l.sku] : [])))] },
});
