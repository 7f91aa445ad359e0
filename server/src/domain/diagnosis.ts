/**
 * "Why is this negative?" (design.md): for one (source, sku) below zero, the
 * causes a seller can act on, each mapped to one of the seed's five reasons
 * and carrying the remedies that fit it.
 */
import { available as availableOf } from './ledger';
import type { RoutingReason } from './routing';

export type SeedReason = 1 | 2 | 3 | 4 | 5;

export type RemedyAction = 'SEND_TO_FULFILLMENT_CENTER' | 'ENABLE_AUTO_FULFILL' | 'IMPORT_LISTING' | 'SET_QUANTITY' | 'CANCEL_ORDER';

export interface Remedy {
  action: RemedyAction;
  params: Record<string, string | number>;
  /** Button text for a seller, e.g. "Send order 123-456 to FBA". */
  label: string;
}

export interface Cause {
  reason: SeedReason;
  code: string;
  orderId?: string;
  lineId?: string;
  listingId?: string;
  entryIds: string[];
  /** Plain sentence for a seller. */
  message: string;
  remedies: Remedy[];
}

export interface OpenAllocation {
  orderId: string;
  externalOrderId: string;
  lineId: string;
  quantity: number;
  reason: RoutingReason;
  /** Ledger entries that committed it here. */
  entryIds: string[];
  listingId?: string;
  /** For AUTO_FULFILL_OFF / FULFILLMENT_CENTER_CANNOT_FILL: the FC that should have taken it. */
  expectedSourceId?: string;
  expectedSourceName?: string;
}

export interface DiagnosisInput {
  sku: string;
  source: { sourceId: string; name: string; kind: 'merchant' | 'fba' | 'deliverr' | '3pl'; isDefault: boolean };
  balance: { onHand: number; committed: number };
  /** Open (allocated, not shipped/cancelled) order lines committed at this source for this sku, oldest first. */
  openAllocations: readonly OpenAllocation[];
  /** Last time stock was counted or received at this source for this sku (null = never). */
  lastCountedAt: Date | null;
  /** Ids of the ledger entries of this (source, sku) since lastCountedAt that drew stock down (shipments), newest last. */
  drawdownEntryIds: readonly string[];
  settings: { inventoryManagedElsewhere: boolean; notCountedAfterDays: number };
  now: Date;
}

export interface Diagnosis {
  available: number;
  causes: Cause[];
}

const dayMs = 24 * 60 * 60 * 1000;

// UTC calendar date: the same answer on every server, whatever its zone.
const calendarDate = (at: Date): string => at.toISOString().slice(0, 10);

const fcName = (allocation: OpenAllocation): string => allocation.expectedSourceName ?? 'the fulfillment center';

function setQuantity(input: DiagnosisInput): Remedy {
  return {
    action: 'SET_QUANTITY',
    params: { sourceId: input.source.sourceId, sku: input.sku },
    label: `Set the ${input.source.name} quantity of ${input.sku}`,
  };
}

function cancelOrder(allocation: OpenAllocation): Remedy {
  return {
    action: 'CANCEL_ORDER',
    params: { orderId: allocation.orderId, lineId: allocation.lineId },
    label: `Cancel order ${allocation.externalOrderId}`,
  };
}

/** Without a known FC the server picks one, as orders.sendToFulfillmentCenter does when sourceId is absent. */
function sendToFulfillmentCenter(allocation: OpenAllocation): Remedy {
  const params: Record<string, string> = { orderId: allocation.orderId, lineId: allocation.lineId };
  if (allocation.expectedSourceId !== undefined) params.sourceId = allocation.expectedSourceId;
  return {
    action: 'SEND_TO_FULFILLMENT_CENTER',
    params,
    label: `Send order ${allocation.externalOrderId} to ${allocation.expectedSourceName ?? 'a fulfillment center'}`,
  };
}

function enableAutoFulfill(sourceId: string, name: string): Remedy {
  return { action: 'ENABLE_AUTO_FULFILL', params: { sourceId }, label: `Turn on auto-fulfill for ${name}` };
}

function importListing(listingId: string, sku: string): Remedy {
  return { action: 'IMPORT_LISTING', params: { listingId }, label: `Import the listing for ${sku}` };
}

/**
 * Seed reason 2: the default source keeps taking orders, but nothing says
 * anyone keeps its number true. Only the default source is judged, because it
 * is the one that takes whatever no one else can.
 */
function notManagedHere(input: DiagnosisInput): Cause | undefined {
  if (!input.source.isDefault) return undefined;
  if (input.openAllocations.length === 0 && input.drawdownEntryIds.length === 0) return undefined;
  const { name } = input.source;
  const { lastCountedAt, now, settings, sku } = input;
  let why: string;
  if (settings.inventoryManagedElsewhere) {
    why = `your settings say inventory is managed elsewhere, so no one counts ${name} stock for ${sku}`;
  } else if (lastCountedAt === null) {
    why = `no one has ever counted ${name} stock for ${sku}`;
  } else if (now.getTime() - lastCountedAt.getTime() > settings.notCountedAfterDays * dayMs) {
    why = `no one has counted ${name} stock for ${sku} since ${calendarDate(lastCountedAt)}`;
  } else {
    return undefined;
  }
  return {
    reason: 2,
    code: 'NOT_MANAGED_HERE',
    entryIds: [...input.drawdownEntryIds, ...input.openAllocations.flatMap((allocation) => allocation.entryIds)],
    message: `${name} keeps taking orders for ${sku}, but ${why}.`,
    remedies: [setQuantity(input)],
  };
}

/** One open allocation as a cause, or undefined when reason 2 already covers it. */
function allocationCause(input: DiagnosisInput, allocation: OpenAllocation, notManaged: boolean): Cause | undefined {
  const order = `Order ${allocation.externalOrderId}`;
  const here = input.source.name;
  const base = {
    orderId: allocation.orderId,
    lineId: allocation.lineId,
    ...(allocation.listingId === undefined ? {} : { listingId: allocation.listingId }),
    entryIds: [...allocation.entryIds],
  };
  switch (allocation.reason) {
    case 'AUTO_FULFILL_OFF': {
      const remedies = [sendToFulfillmentCenter(allocation)];
      if (allocation.expectedSourceId !== undefined) {
        remedies.push(enableAutoFulfill(allocation.expectedSourceId, allocation.expectedSourceName ?? allocation.expectedSourceId));
      }
      return {
        reason: 1,
        code: 'AUTO_FULFILL_OFF',
        ...base,
        message: `${order} was taken from ${here} because auto-fulfill is off for ${fcName(allocation)}.`,
        remedies,
      };
    }
    case 'FULFILLMENT_CENTER_CANNOT_FILL': {
      const remedies = [setQuantity(input), cancelOrder(allocation)];
      // Routing judged the FC unable to fill it, but the seller may know it
      // can (stock on its way, a country added): let them send it anyway.
      if (allocation.expectedSourceId !== undefined) remedies.push(sendToFulfillmentCenter(allocation));
      return {
        reason: 3,
        code: 'FULFILLMENT_CENTER_CANNOT_FILL',
        ...base,
        message: `${order} was taken from ${here} because ${fcName(allocation)} could not fill it (it does not ship there or did not have enough).`,
        remedies,
      };
    }
    case 'UNTRACKED_LISTING': {
      const remedies = allocation.listingId === undefined ? [] : [importListing(allocation.listingId, input.sku)];
      remedies.push(setQuantity(input));
      return {
        reason: 4,
        code: 'UNTRACKED_LISTING',
        ...base,
        message: `${order} came from a listing onhand does not manage, so ${here} took it.`,
        remedies,
      };
    }
    case 'OVERSOLD':
      return {
        reason: 5,
        code: 'OVERSOLD',
        ...base,
        message: `${order} was taken from ${here} although no source had ${allocation.quantity} of ${input.sku}.`,
        remedies: [setQuantity(input), cancelOrder(allocation)],
      };
    case 'MARKETPLACE_FULFILLED':
    case 'ROUTED_TO_FULFILLMENT_CENTER':
    case 'ROUTED_TO_SOURCE':
      // The stock was there when the line was routed and has gone since. If
      // no one keeps this source's number true, that is the explanation.
      if (notManaged) return undefined;
      return {
        reason: 5,
        code: 'OVERSOLD',
        ...base,
        message: `${order} was committed to ${here} when it had the stock, but that stock has gone since.`,
        remedies: [setQuantity(input), cancelOrder(allocation)],
      };
  }
}

/**
 * A negative with no open order behind it: more left the source than it had
 * (shipments after a wrong count). The seller still needs an explanation and
 * a way out, so it is reported as oversold with the shipments as evidence.
 */
function shippedMoreThanItHad(input: DiagnosisInput): Cause {
  return {
    reason: 5,
    code: 'OVERSOLD',
    entryIds: [...input.drawdownEntryIds],
    message: `${input.source.name} has shipped more ${input.sku} than it had on hand.`,
    remedies: [setQuantity(input)],
  };
}

export function explainNegative(input: DiagnosisInput): Diagnosis {
  const available = availableOf(input.balance);
  if (available >= 0) return { available, causes: [] };
  const notManaged = notManagedHere(input);
  const causes: Cause[] = notManaged ? [notManaged] : [];
  for (const allocation of input.openAllocations) {
    const cause = allocationCause(input, allocation, notManaged !== undefined);
    if (cause) causes.push(cause);
  }
  if (causes.length === 0) causes.push(shippedMoreThanItHad(input));
  return { available, causes };
}
