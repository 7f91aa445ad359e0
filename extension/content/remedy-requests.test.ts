import { describe, expect, it } from 'vitest';
import { remedyRequest } from './remedy-requests';

const label = 'x';

describe('remedyRequest', () => {
  it('turns each remedy into its own specific message', () => {
    expect(remedyRequest({ action: 'SEND_TO_FULFILLMENT_CENTER', params: { orderId: 'o1', lineId: 'l1', sourceId: 's2' }, label }, 'k')).toEqual({
      type: 'orders.sendToFulfillmentCenter', orderId: 'o1', lineIds: ['l1'], sourceId: 's2', idempotencyKey: 'k',
    });
    expect(remedyRequest({ action: 'ENABLE_AUTO_FULFILL', params: { sourceId: 's2' }, label }, 'k')).toEqual({ type: 'sources.enableAutoFulfill', sourceId: 's2', idempotencyKey: 'k' });
    expect(remedyRequest({ action: 'IMPORT_LISTING', params: { listingId: 'l9' }, label }, 'k')).toEqual({ type: 'listings.import', listingId: 'l9', idempotencyKey: 'k' });
    expect(remedyRequest({ action: 'CANCEL_ORDER', params: { orderId: 'o1', lineId: 'l1' }, label }, 'k')).toEqual({ type: 'orders.cancel', orderId: 'o1', lineIds: ['l1'], idempotencyKey: 'k' });
    expect(remedyRequest({ action: 'SET_QUANTITY', params: { sku: 'A', sourceId: 's1' }, label }, 'k', 5)).toEqual({ type: 'inventory.setQuantity', sku: 'A', sourceId: 's1', onHand: 5, idempotencyKey: 'k' });
  });

  it('sends nothing when a remedy lacks what it needs', () => {
    expect(remedyRequest({ action: 'SET_QUANTITY', params: { sku: 'A', sourceId: 's1' }, label }, 'k')).toBeNull();
    expect(remedyRequest({ action: 'SET_QUANTITY', params: { sku: 'A', sourceId: 's1' }, label }, 'k', -1)).toBeNull();
    expect(remedyRequest({ action: 'CANCEL_ORDER', params: {}, label }, 'k')).toBeNull();
    expect(remedyRequest({ action: 'ENABLE_AUTO_FULFILL', params: { sourceId: 3 }, label }, 'k')).toBeNull();
  });
});
