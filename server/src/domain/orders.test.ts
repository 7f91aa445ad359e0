import { describe, expect, it } from 'vitest';
import { chooseFulfillmentCenter, expectedFulfillmentCenter, orderStatus, planCancel, planSendToFulfillmentCenter, planShip, type FulfillmentCenterFacts, type LineFacts } from './orders';

const line = (over: Partial<LineFacts> = {}): LineFacts => ({
  lineId: 'L1',
  state: 'allocated',
  sourceId: 'MF',
  allocations: [{ sourceId: 'MF', sku: 'MUG', quantity: 2 }],
  ...over,
});
const fba = (over: Partial<FulfillmentCenterFacts> = {}): FulfillmentCenterFacts => ({
  sourceId: 'FBA',
  name: 'FBA',
  kind: 'fba',
  isDefault: false,
  shipsTo: ['US'],
  availableBySku: new Map([['MUG', 5]]),
  ...over,
});

describe('order line rules: one row per rule', () => {
  const rows = [
    { rule: 'cancel gives back the committed units', run: () => planCancel(line()), expected: { ok: true, value: { changed: true, movements: [{ sourceId: 'MF', sku: 'MUG', bucket: 'committed', delta: -2, reason: 'order_cancelled' }] } } },
    { rule: 'a repeated cancel changes nothing', run: () => planCancel(line({ state: 'cancelled' })), expected: { ok: true, value: { changed: false, movements: [] } } },
    { rule: 'an unmatched line cancels without stock', run: () => planCancel(line({ state: 'unmatched', allocations: [] })), expected: { ok: true, value: { changed: true, movements: [] } } },
    { rule: 'LINE_NOT_OPEN (cancel after shipping)', run: () => planCancel(line({ state: 'shipped' })), expected: { ok: false, rule: 'LINE_NOT_OPEN' } },
    { rule: 'ship turns committed into on_hand leaving', run: () => planShip(line()), expected: { ok: true, value: { changed: true, movements: [{ bucket: 'committed', delta: -2 }, { bucket: 'on_hand', delta: -2 }] } } },
    { rule: 'a repeated ship changes nothing', run: () => planShip(line({ state: 'shipped' })), expected: { ok: true, value: { changed: false } } },
    { rule: 'LINE_NOT_OPEN (ship an unmatched line)', run: () => planShip(line({ state: 'unmatched' })), expected: { ok: false, rule: 'LINE_NOT_OPEN' } },
    { rule: 'send to FC moves the commitment', run: () => planSendToFulfillmentCenter(line(), 'MF', fba(), 'US'), expected: { ok: true, value: { allocations: [{ sourceId: 'FBA', sku: 'MUG', quantity: 2 }], movements: [{ sourceId: 'MF', delta: -2, reason: 'sent_to_fulfillment_center' }, { sourceId: 'FBA', delta: 2 }] } } },
    { rule: 'LINE_NOT_AT_DEFAULT_SOURCE', run: () => planSendToFulfillmentCenter(line({ sourceId: 'FBA' }), 'MF', fba(), 'US'), expected: { ok: false, rule: 'LINE_NOT_AT_DEFAULT_SOURCE' } },
    { rule: 'LINE_NOT_OPEN (send a cancelled line)', run: () => planSendToFulfillmentCenter(line({ state: 'cancelled' }), 'MF', fba(), 'US'), expected: { ok: false, rule: 'LINE_NOT_OPEN' } },
    { rule: 'NOT_A_FULFILLMENT_CENTER', run: () => planSendToFulfillmentCenter(line(), 'MF', fba({ kind: 'merchant' }), 'US'), expected: { ok: false, rule: 'NOT_A_FULFILLMENT_CENTER', field: 'sourceId' } },
    { rule: 'FULFILLMENT_CENTER_DOES_NOT_SHIP_TO_DESTINATION', run: () => planSendToFulfillmentCenter(line(), 'MF', fba(), 'DE'), expected: { ok: false, rule: 'FULFILLMENT_CENTER_DOES_NOT_SHIP_TO_DESTINATION' } },
    { rule: 'FULFILLMENT_CENTER_INSUFFICIENT_QUANTITY', run: () => planSendToFulfillmentCenter(line(), 'MF', fba({ availableBySku: new Map([['MUG', 1]]) }), 'US'), expected: { ok: false, rule: 'FULFILLMENT_CENTER_INSUFFICIENT_QUANTITY' } },
  ] as const;
  it.each(rows)('$rule', ({ run, expected }) => {
    expect(run()).toMatchObject(expected);
  });
});

describe('order status and expected FC', () => {
  it.each([
    { states: ['cancelled', 'cancelled'], status: 'cancelled' },
    { states: ['shipped', 'cancelled'], status: 'shipped' },
    { states: ['shipped', 'allocated'], status: 'open' },
    { states: ['unmatched'], status: 'open' },
  ] as const)('$states → $status', ({ states, status }) => {
    expect(orderStatus(states)).toBe(status);
  });
  it('names the FC a fallback line should have gone to', () => {
    const kinds = new Map([['MF', 'merchant'], ['FBA', 'fba']] as const);
    const kindOf = (id: string) => kinds.get(id as 'MF' | 'FBA');
    expect(expectedFulfillmentCenter({ sourceId: 'MF', reason: 'AUTO_FULFILL_OFF', trace: [{ sourceId: 'FBA', skipped: 'AUTO_FULFILL_OFF' }] }, kindOf)).toBe('FBA');
    expect(expectedFulfillmentCenter({ sourceId: 'MF', reason: 'FULFILLMENT_CENTER_CANNOT_FILL', trace: [{ sourceId: 'MF', skipped: 'INSUFFICIENT_QUANTITY' }, { sourceId: 'FBA', skipped: 'DOES_NOT_SHIP_TO_DESTINATION' }] }, kindOf)).toBe('FBA');
    expect(expectedFulfillmentCenter({ sourceId: 'MF', reason: 'OVERSOLD', trace: [] }, kindOf)).toBeUndefined();
  });
});

describe('choosing the FC for a line sent without one', () => {
  const deliverr = fba({ sourceId: 'DLV', name: 'Deliverr', kind: 'deliverr', shipsTo: [] });
  const rows = [
    { rule: 'the expected FC when it can fill', run: () => chooseFulfillmentCenter(line(), 'FBA', [deliverr, fba()], 'US'), expected: 'FBA' },
    { rule: 'another FC when the expected one does not ship there', run: () => chooseFulfillmentCenter(line(), 'FBA', [fba(), deliverr], 'DE'), expected: 'DLV' },
    { rule: 'the first FC that can fill when none was expected', run: () => chooseFulfillmentCenter(line(), null, [fba(), deliverr], 'US'), expected: 'FBA' },
    { rule: 'none when no FC has the units', run: () => chooseFulfillmentCenter(line({ allocations: [{ sourceId: 'MF', sku: 'MUG', quantity: 9 }] }), null, [fba(), deliverr], 'US'), expected: undefined },
    { rule: 'never a merchant source', run: () => chooseFulfillmentCenter(line(), null, [fba({ sourceId: 'MF2', kind: 'merchant' })], 'US'), expected: undefined },
  ] as const;
  it.each(rows)('$rule', ({ run, expected }) => {
    expect(run()).toBe(expected);
  });
});
