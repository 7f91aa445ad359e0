import type { BackgroundRequest } from '@onhand/shared';
import type { Remedy } from '../overlay/badge-actions';

type RemedyRequest = Extract<
  BackgroundRequest,
  { type: 'listings.import' | 'orders.sendToFulfillmentCenter' | 'orders.cancel' | 'sources.enableAutoFulfill' | 'inventory.setQuantity' }
>;

/**
 * The specific background message for a remedy the server suggested, or null
 * when its parameters are not what that remedy needs (the message is then
 * never sent). `quantity` is what the seller typed for SET_QUANTITY.
 */
export function remedyRequest(remedy: Remedy, idempotencyKey: string, quantity?: number): RemedyRequest | null {
  const text = (name: string): string | undefined => {
    const value = remedy.params[name];
    return typeof value === 'string' && value ? value : undefined;
  };
  const lineId = text('lineId');
  const lineIds = lineId ? [lineId] : undefined;
  switch (remedy.action) {
    case 'SEND_TO_FULFILLMENT_CENTER': {
      const orderId = text('orderId');
      if (!orderId) return null;
      const sourceId = text('sourceId');
      return { type: 'orders.sendToFulfillmentCenter', orderId, idempotencyKey, ...(lineIds && { lineIds }), ...(sourceId && { sourceId }) };
    }
    case 'CANCEL_ORDER': {
      const orderId = text('orderId');
      return orderId ? { type: 'orders.cancel', orderId, idempotencyKey, ...(lineIds && { lineIds }) } : null;
    }
    case 'ENABLE_AUTO_FULFILL': {
      const sourceId = text('sourceId');
      return sourceId ? { type: 'sources.enableAutoFulfill', sourceId, idempotencyKey } : null;
    }
    case 'IMPORT_LISTING': {
      const listingId = text('listingId');
      return listingId ? { type: 'listings.import', listingId, idempotencyKey } : null;
    }
    case 'SET_QUANTITY': {
      const sku = text('sku');
      const sourceId = text('sourceId');
      if (!sku || !sourceId || quantity === undefined || !Number.isSafeInteger(quantity) || quantity < 0) return null;
      return { type: 'inventory.setQuantity', sku, sourceId, onHand: quantity, idempotencyKey };
    }
  }
}
