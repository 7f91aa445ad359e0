import type { SourceKind } from '@onhand/shared';
import type { Movement } from './ledger';
import { accept, reject, type Decision } from './result';
import type { RoutingDecision } from './routing';

/**
 * What happens to an order line's stock after routing: cancel, ship, send to
 * a fulfillment center. Each returns the ledger movements per (source, sku),
 * or a rejection named after the rule.
 */
export type LineState = 'allocated' | 'unmatched' | 'cancelled' | 'shipped';

export interface Allocation {
  sourceId: string;
  sku: string;
  quantity: number;
}

export interface LineFacts {
  lineId: string;
  state: LineState;
  sourceId: string | null;
  allocations: readonly Allocation[];
}

export interface KeyedMovement extends Movement {
  sourceId: string;
  sku: string;
}

export type OrderRule =
  | 'LINE_NOT_OPEN'
  | 'LINE_NOT_AT_DEFAULT_SOURCE'
  | 'NOT_A_FULFILLMENT_CENTER'
  | 'FULFILLMENT_CENTER_DOES_NOT_SHIP_TO_DESTINATION'
  | 'FULFILLMENT_CENTER_INSUFFICIENT_QUANTITY'
  | 'NO_FULFILLMENT_CENTER_CAN_FILL';

/** Allocating a routed line: its units become committed at the chosen source. */
export function allocationMovements(allocations: readonly Allocation[]): KeyedMovement[] {
  return allocations.map((a) => ({ sourceId: a.sourceId, sku: a.sku, bucket: 'committed', delta: a.quantity, reason: 'order_allocated' }));
}

/**
 * Cancelling gives back what the line held committed. A line already
 * cancelled is left as it is (a repeated cancel changes nothing); a shipped
 * line cannot be cancelled (that is a return).
 */
export function planCancel(line: LineFacts): Decision<{ movements: KeyedMovement[]; changed: boolean }, OrderRule> {
  if (line.state === 'cancelled') return accept({ movements: [], changed: false });
  if (line.state === 'shipped') return reject('LINE_NOT_OPEN', `line ${line.lineId} has shipped; record a return instead`, 'lineIds');
  return accept({
    changed: true,
    movements: line.allocations.map((a) => ({ sourceId: a.sourceId, sku: a.sku, bucket: 'committed', delta: -a.quantity, reason: 'order_cancelled' })),
  });
}

/** Shipping turns what was committed into units that left on_hand. */
export function planShip(line: LineFacts): Decision<{ movements: KeyedMovement[]; changed: boolean }, OrderRule> {
  if (line.state === 'shipped') return accept({ movements: [], changed: false });
  if (line.state !== 'allocated') return reject('LINE_NOT_OPEN', `line ${line.lineId} is ${line.state}; only allocated lines ship`, 'lineIds');
  return accept({
    changed: true,
    movements: line.allocations.flatMap((a) => [
      { sourceId: a.sourceId, sku: a.sku, bucket: 'committed' as const, delta: -a.quantity, reason: 'order_shipped' as const },
      { sourceId: a.sourceId, sku: a.sku, bucket: 'on_hand' as const, delta: -a.quantity, reason: 'order_shipped' as const },
    ]),
  });
}

export interface FulfillmentCenterFacts {
  sourceId: string;
  name: string;
  kind: SourceKind;
  isDefault: boolean;
  shipsTo: readonly string[];
  /** available per SKU at this source now */
  availableBySku: ReadonlyMap<string, number>;
}

/**
 * "Send to fulfillment center": the line leaves the default source (its
 * committed goes back down) and is committed at the FC instead. The FC must
 * be a fulfillment center, ship to the destination and hold the units.
 */
export function planSendToFulfillmentCenter(
  line: LineFacts,
  defaultSourceId: string,
  target: FulfillmentCenterFacts,
  shipToCountry: string,
): Decision<{ movements: KeyedMovement[]; allocations: Allocation[] }, OrderRule> {
  if (line.state !== 'allocated') return reject('LINE_NOT_OPEN', `line ${line.lineId} is ${line.state}`, 'lineIds');
  if (line.sourceId !== defaultSourceId) return reject('LINE_NOT_AT_DEFAULT_SOURCE', `line ${line.lineId} is not held by the default source`, 'lineIds');
  if (target.kind === 'merchant' || target.isDefault) return reject('NOT_A_FULFILLMENT_CENTER', `${target.name} is not a fulfillment center`, 'sourceId');
  if (target.shipsTo.length > 0 && !target.shipsTo.includes(shipToCountry)) {
    return reject('FULFILLMENT_CENTER_DOES_NOT_SHIP_TO_DESTINATION', `${target.name} does not ship to ${shipToCountry}`, 'sourceId');
  }
  for (const a of line.allocations) {
    const there = target.availableBySku.get(a.sku) ?? 0;
    if (there < a.quantity) {
      return reject('FULFILLMENT_CENTER_INSUFFICIENT_QUANTITY', `${target.name} has ${there} of ${a.sku} available, the line needs ${a.quantity}`, 'sourceId');
    }
  }
  const allocations = line.allocations.map((a) => ({ sourceId: target.sourceId, sku: a.sku, quantity: a.quantity }));
  const movements: KeyedMovement[] = line.allocations.flatMap((a) => [
    { sourceId: a.sourceId, sku: a.sku, bucket: 'committed' as const, delta: -a.quantity, reason: 'sent_to_fulfillment_center' as const },
    { sourceId: target.sourceId, sku: a.sku, bucket: 'committed' as const, delta: a.quantity, reason: 'sent_to_fulfillment_center' as const },
  ]);
  return accept({ movements, allocations });
}

/** The FC a fallback line should have gone to, from its routing trace. */
export function expectedFulfillmentCenter(decision: RoutingDecision, kindOf: (sourceId: string) => SourceKind | undefined): string | undefined {
  if (decision.reason === 'AUTO_FULFILL_OFF') return decision.trace.find((t) => t.skipped === 'AUTO_FULFILL_OFF')?.sourceId;
  if (decision.reason === 'FULFILLMENT_CENTER_CANNOT_FILL') {
    return decision.trace.find(
      (t) => (t.skipped === 'DOES_NOT_SHIP_TO_DESTINATION' || t.skipped === 'INSUFFICIENT_QUANTITY') && kindOf(t.sourceId) !== 'merchant',
    )?.sourceId;
  }
  return undefined;
}

/** An order is cancelled when every line is; shipped when every other line shipped. */
export function orderStatus(states: readonly LineState[]): 'open' | 'shipped' | 'cancelled' {
  if (states.every((s) => s === 'cancelled')) return 'cancelled';
  if (states.every((s) => s === 'cancelled' || s === 'shipped')) return 'shipped';
  return 'open';
}

/**
 * Which fulfillment center a line sent without a named FC goes to: the one
 * routing expected, when it can take the line now (it may be the very FC
 * that could not ship there), else the first FC (in the order given) that
 * ships to the destination and has the units.
 */
export function chooseFulfillmentCenter(
  line: Pick<LineFacts, 'allocations'>,
  expectedSourceId: string | null,
  candidates: readonly FulfillmentCenterFacts[],
  shipToCountry: string,
): string | undefined {
  const fcs = candidates.filter((c) => c.kind !== 'merchant' && !c.isDefault);
  const canFill = (fc: FulfillmentCenterFacts) =>
    (fc.shipsTo.length === 0 || fc.shipsTo.includes(shipToCountry)) && line.allocations.every((a) => (fc.availableBySku.get(a.sku) ?? 0) >= a.quantity);
  const expected = fcs.find((fc) => fc.sourceId === expectedSourceId);
  return expected && canFill(expected) ? expected.sourceId : fcs.find(canFill)?.sourceId;
}
