import { describe, expect, it } from 'vitest';
import { isFallback, routeLine, type RoutingInput, type RoutingReason, type RoutingSource, type SkipCause } from './routing';

// Priorities put the FCs ahead of the seller's own warehouse, as most tenants
// configure them, so "by priority" and "channel order" visibly differ.
const source = (sourceId: string, kind: RoutingSource['kind'], priority: number) =>
  (over: Partial<RoutingSource> = {}): RoutingSource => ({
    sourceId, kind, isDefault: false, autoFulfill: true, shipsTo: [], priority, available: 0, ...over,
  });
const mf = (over: Partial<RoutingSource> = {}) => source('mf', 'merchant', 50)({ isDefault: true, ...over });
const fba = source('fba', 'fba', 10);
const del = source('del', 'deliverr', 20);
const tpl = source('tpl', '3pl', 30);
const wh2 = source('wh2', 'merchant', 40);

interface LineSpec {
  sources: RoutingSource[];
  channel?: string[];
  quantity?: number;
  to?: string;
  listing?: Partial<RoutingInput['listing']>;
}
const line = (spec: LineSpec): RoutingInput => ({
  quantity: spec.quantity ?? 1,
  shipToCountry: spec.to ?? 'US',
  listing: { status: 'tracked', fulfilledBy: 'merchant', ...spec.listing },
  channelSourceIds: spec.channel ?? [],
  sources: spec.sources,
});
const skip = (sourceId: string, skipped: SkipCause) => ({ sourceId, skipped });

describe('routing: one row per reason, one per skip cause', () => {
  const rows = [
    // Reasons
    {
      rule: 'MARKETPLACE_FULFILLED: an FBA offer goes to the lowest-priority-value fba source',
      input: line({ sources: [mf({ available: 9 }), fba(), source('fba-eu', 'fba', 15)({ available: 9 })], listing: { fulfilledBy: 'marketplace' }, channel: ['mf'] }),
      expected: { sourceId: 'fba', reason: 'MARKETPLACE_FULFILLED', trace: [skip('fba-eu', 'NOT_THE_MARKETPLACE_FULFILLMENT_CENTER'), skip('mf', 'NOT_THE_MARKETPLACE_FULFILLMENT_CENTER')] },
    },
    {
      rule: 'ROUTED_TO_FULFILLMENT_CENTER: a mapped FC with auto-fulfill, the destination and stock',
      input: line({ sources: [mf({ available: 9 }), fba({ available: 2 }), tpl({ available: 9 })], channel: ['fba', 'mf'] }),
      expected: { sourceId: 'fba', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [skip('tpl', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'ROUTED_TO_SOURCE: a second own warehouse with stock',
      input: line({ sources: [mf({ available: 9 }), wh2({ available: 1 })], channel: ['wh2', 'mf'] }),
      expected: { sourceId: 'wh2', reason: 'ROUTED_TO_SOURCE', trace: [] },
    },
    {
      rule: 'AUTO_FULFILL_OFF: the FC could have filled it; the default takes it and goes negative',
      input: line({ sources: [mf(), fba({ autoFulfill: false, available: 5 })], channel: ['fba', 'mf'] }),
      expected: { sourceId: 'mf', reason: 'AUTO_FULFILL_OFF', trace: [skip('fba', 'AUTO_FULFILL_OFF'), skip('mf', 'INSUFFICIENT_QUANTITY')] },
    },
    {
      rule: 'FULFILLMENT_CENTER_CANNOT_FILL: the FC does not serve the destination',
      input: line({ sources: [mf(), fba({ shipsTo: ['US'], available: 5 })], channel: ['fba', 'mf'], to: 'CA' }),
      expected: { sourceId: 'mf', reason: 'FULFILLMENT_CENTER_CANNOT_FILL', trace: [skip('fba', 'DOES_NOT_SHIP_TO_DESTINATION'), skip('mf', 'INSUFFICIENT_QUANTITY')] },
    },
    {
      rule: 'FULFILLMENT_CENTER_CANNOT_FILL: the FC is short while the (unmapped) default has it',
      input: line({ sources: [mf({ available: 4 }), fba({ available: 1 })], channel: ['fba'], quantity: 2 }),
      expected: { sourceId: 'mf', reason: 'FULFILLMENT_CENTER_CANNOT_FILL', trace: [skip('fba', 'INSUFFICIENT_QUANTITY')] },
    },
    {
      rule: 'UNTRACKED_LISTING: the default takes it whatever the mapping and stock',
      input: line({ sources: [mf(), fba({ available: 9 }), tpl({ available: 9 })], channel: ['fba'], listing: { status: 'untracked' } }),
      expected: { sourceId: 'mf', reason: 'UNTRACKED_LISTING', trace: [skip('fba', 'LISTING_NOT_TRACKED'), skip('tpl', 'LISTING_NOT_TRACKED')] },
    },
    {
      rule: 'OVERSOLD: nobody has the quantity',
      input: line({ sources: [mf({ available: 1 }), fba({ available: 1 })], channel: ['fba', 'mf'], quantity: 2 }),
      expected: { sourceId: 'mf', reason: 'OVERSOLD', trace: [skip('fba', 'INSUFFICIENT_QUANTITY'), skip('mf', 'INSUFFICIENT_QUANTITY')] },
    },
    // Skip causes
    {
      rule: 'skip NOT_SOLD_ON_CHANNEL: sources outside the mapping, by priority',
      input: line({ sources: [mf({ available: 9 }), fba({ available: 9 }), tpl({ available: 9 }), del({ available: 9 })], channel: ['tpl'] }),
      expected: { sourceId: 'tpl', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [skip('fba', 'NOT_SOLD_ON_CHANNEL'), skip('del', 'NOT_SOLD_ON_CHANNEL'), skip('mf', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'skip AUTO_FULFILL_OFF: the next candidate with stock wins',
      input: line({ sources: [mf({ available: 3 }), fba({ autoFulfill: false, available: 3 })], channel: ['fba', 'mf'] }),
      expected: { sourceId: 'mf', reason: 'ROUTED_TO_SOURCE', trace: [skip('fba', 'AUTO_FULFILL_OFF')] },
    },
    {
      rule: 'skip DOES_NOT_SHIP_TO_DESTINATION',
      input: line({ sources: [mf(), del({ shipsTo: ['US'], available: 9 }), fba({ shipsTo: ['US', 'GB'], available: 9 })], channel: ['del', 'fba'], to: 'GB' }),
      expected: { sourceId: 'fba', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [skip('del', 'DOES_NOT_SHIP_TO_DESTINATION'), skip('mf', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'skip INSUFFICIENT_QUANTITY',
      input: line({ sources: [mf(), fba({ available: 1 }), tpl({ available: 2 })], channel: ['fba', 'tpl'], quantity: 2 }),
      expected: { sourceId: 'tpl', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [skip('fba', 'INSUFFICIENT_QUANTITY'), skip('mf', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'skip NOT_THE_MARKETPLACE_FULFILLMENT_CENTER: no fba source, so the default records it',
      input: line({ sources: [mf(), tpl({ available: 9 })], listing: { fulfilledBy: 'marketplace' } }),
      expected: { sourceId: 'mf', reason: 'MARKETPLACE_FULFILLED', trace: [skip('tpl', 'NOT_THE_MARKETPLACE_FULFILLMENT_CENTER')] },
    },
    {
      rule: 'skip LISTING_NOT_TRACKED: the default is not in the trace, it took the line',
      input: line({ sources: [wh2({ available: 9 }), mf({ available: 9 })], listing: { status: 'untracked' } }),
      expected: { sourceId: 'mf', reason: 'UNTRACKED_LISTING', trace: [skip('wh2', 'LISTING_NOT_TRACKED')] },
    },
    // Ordering and edges
    {
      rule: 'channel order beats priority',
      input: line({ sources: [mf(), fba({ available: 9 }), tpl({ available: 9 })], channel: ['tpl', 'fba'] }),
      expected: { sourceId: 'tpl', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [skip('mf', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'an empty channel mapping goes by priority',
      input: line({ sources: [mf({ available: 9 }), tpl({ available: 9 }), fba()] }),
      expected: { sourceId: 'tpl', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [skip('fba', 'INSUFFICIENT_QUANTITY')] },
    },
    {
      rule: 'equal priorities are ordered by sourceId',
      input: line({ sources: [mf(), tpl({ priority: 10, available: 9 }), fba({ priority: 10, available: 9 })] }),
      expected: { sourceId: 'fba', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [] },
    },
    {
      rule: 'a default MF with stock in the channel list gets ROUTED_TO_SOURCE',
      input: line({ sources: [mf({ available: 1 }), fba()], channel: ['mf', 'fba'] }),
      expected: { sourceId: 'mf', reason: 'ROUTED_TO_SOURCE', trace: [] },
    },
    {
      rule: 'quantity 3 with exactly 3 at the FC is routed there',
      input: line({ sources: [mf({ available: 9 }), fba({ available: 3 })], channel: ['fba', 'mf'], quantity: 3 }),
      expected: { sourceId: 'fba', reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [] },
    },
    {
      rule: 'channel ids that are not sources are ignored',
      input: line({ sources: [mf({ available: 1 }), fba()], channel: ['gone', 'mf', 'mf'] }),
      expected: { sourceId: 'mf', reason: 'ROUTED_TO_SOURCE', trace: [skip('fba', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'auto-fulfill is only about FCs: an own warehouse with it off still fills',
      input: line({ sources: [mf(), wh2({ autoFulfill: false, available: 1 })], channel: ['wh2'] }),
      expected: { sourceId: 'wh2', reason: 'ROUTED_TO_SOURCE', trace: [skip('mf', 'NOT_SOLD_ON_CHANNEL')] },
    },
    {
      rule: 'AUTO_FULFILL_OFF wins over FULFILLMENT_CENTER_CANNOT_FILL',
      input: line({ sources: [mf(), del({ shipsTo: ['US'] }), fba({ autoFulfill: false, available: 9 })], channel: ['del', 'fba', 'mf'], to: 'MX' }),
      expected: { sourceId: 'mf', reason: 'AUTO_FULFILL_OFF', trace: [skip('del', 'DOES_NOT_SHIP_TO_DESTINATION'), skip('fba', 'AUTO_FULFILL_OFF'), skip('mf', 'INSUFFICIENT_QUANTITY')] },
    },
    {
      rule: 'auto-fulfill off at an FC that could not have filled it anyway is OVERSOLD',
      input: line({ sources: [mf(), fba({ autoFulfill: false, available: 0 })], channel: ['fba', 'mf'] }),
      expected: { sourceId: 'mf', reason: 'OVERSOLD', trace: [skip('fba', 'AUTO_FULFILL_OFF'), skip('mf', 'INSUFFICIENT_QUANTITY')] },
    },
    {
      rule: 'an FC short while the default is short too is OVERSOLD, not CANNOT_FILL',
      input: line({ sources: [mf({ available: 1 }), fba({ available: 1 })], channel: ['fba'], quantity: 2 }),
      expected: { sourceId: 'mf', reason: 'OVERSOLD', trace: [skip('fba', 'INSUFFICIENT_QUANTITY')] },
    },
  ] as const;

  it.each(rows)('$rule', ({ input, expected }) => {
    expect(routeLine(input)).toEqual(expected);
  });

  it('refuses to route without a default source (a data bug, not an outcome)', () => {
    expect(() => routeLine(line({ sources: [fba({ available: 9 })] }))).toThrow(/default source/);
  });
});

describe('isFallback: the default source took the line and may go negative', () => {
  const rows: { rule: RoutingReason; expected: boolean }[] = [
    { rule: 'MARKETPLACE_FULFILLED', expected: false },
    { rule: 'ROUTED_TO_FULFILLMENT_CENTER', expected: false },
    { rule: 'ROUTED_TO_SOURCE', expected: false },
    { rule: 'AUTO_FULFILL_OFF', expected: true },
    { rule: 'FULFILLMENT_CENTER_CANNOT_FILL', expected: true },
    { rule: 'UNTRACKED_LISTING', expected: true },
    { rule: 'OVERSOLD', expected: true },
  ];

  it.each(rows)('$rule', ({ rule, expected }) => {
    expect(isFallback(rule)).toBe(expected);
  });
});
