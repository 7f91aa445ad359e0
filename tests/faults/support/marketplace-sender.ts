import type { Order } from '@onhand/shared';
import { apiClient, untilAcknowledged, type Api, type RetryStats } from './api';
import { catalogue, openingStock, type OrderEvent, type SourceName } from './order-events';

/** A seller set up through the API: sources, an Amazon channel selling from MF, the catalogue, listings, opening stock. */
export interface SellerWorld {
  tenantId: string;
  admin: Api;
  seller: Api;
  channelId: string;
  sourceIds: Record<SourceName, string>;
}

export async function setUpSeller(url: string, adminToken: string): Promise<SellerWorld> {
  const admin = apiClient(url, adminToken);
  const { tenantId } = await admin.admin.tenants.create.mutate({ name: 'Fault-injection seller' });
  const { token } = await admin.admin.tokens.issue.mutate({ tenantId, role: 'seller', label: 'marketplace sender' });
  const seller = apiClient(url, token);
  const mf = await seller.sources.create.mutate({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'setup-mf' });
  const fba = await seller.sources.create.mutate({ name: 'FBA', kind: 'fba', autoFulfill: true, shipsTo: ['US'], idempotencyKey: 'setup-fba' });
  const sourceIds: Record<SourceName, string> = { MF: mf.sourceId, FBA: fba.sourceId };
  // Selling from MF only: a merchant line lands on MF whatever the stock, so the end state does not depend on arrival order.
  const channel = await seller.channels.create.mutate({ marketplace: 'amazon', region: 'US', name: 'Amazon US', sourceIds: [mf.sourceId] });
  for (const item of [...catalogue].sort((a, b) => Number(Boolean(a.components)) - Number(Boolean(b.components)))) {
    await seller.products.upsert.mutate({ sku: item.sku, title: `Fault test ${item.sku}`, components: item.components, idempotencyKey: `setup-product-${item.sku}` });
    await seller.listings.upsert.mutate({
      channelId: channel.channelId,
      sku: item.sku,
      channelSku: item.channelSku,
      fulfilledBy: item.fulfilledBy,
      status: item.status,
      idempotencyKey: `setup-listing-${item.sku}`,
    });
  }
  for (const stock of openingStock) {
    await seller.inventory.setQuantity.mutate({ sku: stock.sku, sourceId: sourceIds[stock.source], onHand: stock.onHand, idempotencyKey: `setup-count-${stock.source}-${stock.sku}` });
  }
  return { tenantId, admin, seller, channelId: channel.channelId, sourceIds };
}

export type Acknowledgement = { event: OrderEvent; kind: 'created'; order: Order } | { event: OrderEvent; kind: 'cancelled'; order: Order | null; tombstoned: boolean };

/** Delivers one event through the order API (orders.ingest / orders.cancel, which leaves a tombstone when the order has not come yet). */
export async function deliver(world: SellerWorld, event: OrderEvent): Promise<Acknowledgement> {
  const key = event.idempotencyKey ? { idempotencyKey: event.idempotencyKey } : {};
  if (event.kind === 'created') {
    const order = await world.seller.orders.ingest.mutate({
      channelId: world.channelId,
      externalOrderId: event.externalOrderId,
      placedAt: event.placedAt,
      shipTo: { country: event.country },
      lines: event.lines,
      ...key,
    });
    return { event, kind: 'created', order };
  }
  const result = await world.seller.orders.cancel.mutate({ channelId: world.channelId, externalOrderId: event.externalOrderId, ...key });
  return { event, kind: 'cancelled', order: result.order, tombstoned: result.tombstoned };
}

/**
 * Replays `events` from `concurrency` senders, each retrying its event until
 * acknowledged. `acknowledged` (shared, for the fault injector to watch) grows
 * as they are.
 */
export async function replayUntilAcknowledged(
  world: SellerWorld,
  events: readonly OrderEvent[],
  options: { concurrency: number; stats: RetryStats; acknowledged: Acknowledgement[]; signal?: AbortSignal },
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < events.length) {
        const event = events[next++]!;
        options.acknowledged.push(await untilAcknowledged(options.stats, () => deliver(world, event), options.signal));
      }
    }),
  );
}
