import { isDeepStrictEqual } from 'node:util';
import type { LedgerEntry, Order } from '@onhand/shared';
import { exportLedger, retryRead } from './api';
import type { Acknowledgement, SellerWorld } from './marketplace-sender';
import { balanceKey, stockSkus, type ExpectedState, type SourceName } from './order-events';

/**
 * Everything that must hold once every event was acknowledged, whatever
 * crashed or was cut on the way. Returns the problems found (empty = all
 * good), so a failure lists them all instead of the first.
 */
export async function finalStateProblems(
  world: SellerWorld,
  server: { url: string; adminToken: string },
  expected: ExpectedState,
  acknowledgements: readonly Acknowledgement[],
): Promise<string[]> {
  const problems: string[] = [];
  const sourceNameOf = new Map(Object.entries(world.sourceIds).map(([name, id]) => [id, name as SourceName]));

  // Every order exactly once, complete, with the status and lines the events give.
  const orders = await allOrders(world);
  const byExternalId = new Map<string, Order>();
  for (const order of orders) {
    if (byExternalId.has(order.externalOrderId)) problems.push(`order ${order.externalOrderId} exists twice`);
    byExternalId.set(order.externalOrderId, order);
  }
  for (const [externalOrderId, want] of expected.orders) {
    const order = byExternalId.get(externalOrderId);
    if (!order) {
      problems.push(`order ${externalOrderId} was acknowledged but is missing`);
      continue;
    }
    if (order.status !== want.status) problems.push(`order ${externalOrderId} is ${order.status}, expected ${want.status}`);
    const got = order.lines.map((l) => ({ externalLineId: l.externalLineId, quantity: l.quantity }));
    const wantLines = want.lines.map((l) => ({ externalLineId: l.externalLineId, quantity: l.quantity }));
    if (!isDeepStrictEqual(got, wantLines)) problems.push(`order ${externalOrderId} has lines ${JSON.stringify(got)}, expected ${JSON.stringify(wantLines)}`);
    order.lines.forEach((line, i) => {
      const wantLine = want.lines[i];
      if (!wantLine) return;
      const wantState = want.status === 'cancelled' ? 'cancelled' : wantLine.sku === null ? 'unmatched' : 'allocated';
      if (line.state !== wantState) problems.push(`order ${externalOrderId} line ${line.externalLineId} is ${line.state}, expected ${wantState}`);
      if (want.status === 'open' && (line.sku ?? null) !== wantLine.sku) problems.push(`order ${externalOrderId} line ${line.externalLineId} has SKU ${line.sku}, expected ${wantLine.sku}`);
      const source = line.sourceId ? sourceNameOf.get(line.sourceId) : null;
      if (want.status === 'open' && (source ?? null) !== wantLine.source) problems.push(`order ${externalOrderId} line ${line.externalLineId} is on ${source}, expected ${wantLine.source}`);
    });
  }
  for (const order of orders) {
    if (!expected.orders.has(order.externalOrderId)) problems.push(`order ${order.externalOrderId} exists but no event created it`);
  }
  for (const id of expected.tombstoneOnly) if (byExternalId.has(id)) problems.push(`order ${id} was only ever cancelled, yet exists`);

  // Balances per source and SKU equal the model.
  const { items } = await retryRead(() => world.seller.inventory.bySkus.query({ skus: stockSkus }));
  for (const sku of stockSkus) {
    const item = items.find((i) => i.sku === sku);
    for (const source of ['MF', 'FBA'] as const) {
      const got = item?.sources.find((s) => s.sourceId === world.sourceIds[source]);
      const want = expected.balances.get(balanceKey(source, sku)) ?? { onHand: 0, committed: 0 };
      const gotPair = { onHand: got?.onHand ?? 0, committed: got?.committed ?? 0 };
      if (!isDeepStrictEqual(gotPair, want)) problems.push(`${source} ${sku} holds ${JSON.stringify(gotPair)}, expected ${JSON.stringify(want)}`);
    }
  }

  problems.push(...ledgerProblems(await exportLedger(server.url, server.adminToken, world.tenantId), orders));

  // Every acknowledgement is the outcome that stands: one answer per idempotency key, and the order it named is the one that exists.
  const firstByKey = new Map<string, Acknowledgement>();
  for (const ack of acknowledgements) {
    const key = ack.event.idempotencyKey;
    if (key) {
      const first = firstByKey.get(key);
      if (!first) firstByKey.set(key, ack);
      else if (!isDeepStrictEqual(stripEvent(first), stripEvent(ack))) problems.push(`key ${key} answered differently on a repeat: ${JSON.stringify(stripEvent(first))} then ${JSON.stringify(stripEvent(ack))}`);
    }
    const existing = byExternalId.get(ack.event.externalOrderId);
    if (ack.order && ack.order.orderId !== existing?.orderId) problems.push(`the acknowledgement of ${ack.event.eventId} names order ${ack.order.orderId}, but ${existing?.orderId} exists`);
    if (ack.kind === 'cancelled' && !ack.tombstoned && !ack.order) problems.push(`cancel ${ack.event.eventId} answered neither an order nor a tombstone`);
  }

  // Without `repair`, reconcile only reads.
  const reconciled = await retryRead(() => world.admin.admin.reconcile.mutate({ tenantId: world.tenantId }));
  if (reconciled.mismatches.length > 0) problems.push(`reconcile: balances disagree with the ledger: ${JSON.stringify(reconciled.mismatches)}`);
  if (reconciled.publishing.mismatches.length > 0) problems.push(`reconcile: published quantities disagree with the rules: ${JSON.stringify(reconciled.publishing.mismatches)}`);
  return problems.slice(0, 50);
}

const stripEvent = (ack: Acknowledgement) => ({ ...ack, event: undefined });

/**
 * Each order line's stock moved exactly once: an open order's matched line
 * has one allocation per part and no reversal; a cancelled order's lines have
 * either none (the cancel came first) or one allocation and one reversal each.
 */
function ledgerProblems(ledger: readonly LedgerEntry[], orders: readonly Order[]): string[] {
  const problems: string[] = [];
  // Per order line, per SKU it moved: allocations and reversals.
  const countsByLine = new Map<string, Map<string, { allocated: number; cancelled: number }>>();
  const orderIds = new Set(orders.map((o) => o.orderId));
  for (const entry of ledger) {
    if (!entry.orderId) continue;
    if (!orderIds.has(entry.orderId)) problems.push(`ledger entry ${entry.id} names order ${entry.orderId}, which does not exist`);
    const lineId = entry.orderLineId ?? '(no line)';
    let bySku = countsByLine.get(lineId);
    if (!bySku) countsByLine.set(lineId, (bySku = new Map()));
    const count = bySku.get(entry.sku) ?? { allocated: 0, cancelled: 0 };
    if (entry.reason === 'order_allocated') count.allocated += 1;
    else if (entry.reason === 'order_cancelled') count.cancelled += 1;
    else problems.push(`ledger entry ${entry.id} has reason ${entry.reason}; no event ships or moves orders`);
    bySku.set(entry.sku, count);
  }
  for (const order of orders) {
    const perOrder = new Set<string>();
    for (const line of order.lines) {
      const lineCounts = [...(countsByLine.get(line.lineId)?.values() ?? [])];
      if (line.state === 'unmatched' && lineCounts.length > 0) problems.push(`unmatched line ${line.lineId} moved stock`);
      if (line.state === 'allocated' && (lineCounts.length === 0 || lineCounts.some((c) => c.allocated !== 1 || c.cancelled !== 0))) {
        problems.push(`allocated line ${line.lineId} of ${order.externalOrderId} has ledger ${JSON.stringify(lineCounts)}, expected one allocation per part`);
      }
      if (line.state === 'cancelled') {
        if (lineCounts.some((c) => c.allocated > 1 || c.allocated !== c.cancelled)) problems.push(`cancelled line ${line.lineId} of ${order.externalOrderId} has ledger ${JSON.stringify(lineCounts)}`);
        if (line.sku) perOrder.add(lineCounts.length === 0 ? 'cancelled first' : 'cancelled after');
      }
    }
    if (perOrder.size > 1) problems.push(`order ${order.externalOrderId} was cancelled both before and after it arrived`);
  }
  return problems;
}

async function allOrders(world: SellerWorld): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | undefined;
  do {
    const page = await retryRead(() => world.seller.orders.list.query({ limit: 100, cursor }));
    orders.push(...page.orders);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return orders;
}
