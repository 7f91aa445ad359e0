import type { Order } from '@onhand/shared';
import { findChannel } from '../db/repositories/channels';
import { insertAllocations, lockOrder, findLines, rewriteRoutedLine, toApiOrder } from '../db/repositories/orders';
import { notFound } from '../errors';
import { insertEvents } from '../db/repositories/events';
import type { TenantScope } from './context';
import { applyMovements } from './movements';
import { idempotent, inTransaction } from './transaction';
import { routeLines } from './route-lines';
import { orderEvent } from './order-batches';

export { ingestOrder, orderEvent } from './order-batches';

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
