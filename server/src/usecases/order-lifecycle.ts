import type { z } from 'zod';
import type { Order, ordersCancelInput, ordersListInput, ordersMarkShippedInput, ordersSendToFulfillmentCenterInput } from '@onhand/shared';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database';
import { available } from '../domain/ledger';
import { chooseFulfillmentCenter, orderStatus, planCancel, planSendToFulfillmentCenter, planShip, type LineFacts } from '../domain/orders';
import type { Rejection } from '../domain/result';
import { balanceKeyString, lockBalances } from '../db/repositories/balances';
import { findChannel } from '../db/repositories/channels';
import {
  deleteAllocations,
  findAllocations,
  findLines,
  findOrder,
  insertAllocations,
  insertTombstone,
  listOrders,
  lockOrder,
  lockExternalOrder,
  lockOrderByExternalId,
  setOrderStatus,
  toApiOrder,
  updateLine,
  type LineRow,
  type OrderRow,
} from '../db/repositories/orders';
import { listSources } from '../db/repositories/sources';
import { claimKey, storeResponse } from '../db/repositories/idempotency';
import { badRequest, notFound } from '../errors';
import { insertEvents } from '../db/repositories/events';
import { orderEvent } from './orders';
import type { TenantScope } from './context';
import { rejectionError } from './inventory';
import { applyMovements, type TaggedMovement } from './movements';
import { inTransaction, replay, requestHash, withoutKey } from './transaction';

type Trx = Transaction<Database>;

/** Runs `work` once per idempotency key when one is given (mutations without a key are idempotent by nature). */
async function onceForKey<T>(trx: Trx, scope: TenantScope, procedure: string, input: { idempotencyKey?: string | undefined }, work: () => Promise<T>): Promise<T> {
  if (!input.idempotencyKey) return work();
  const hash = requestHash(withoutKey(input));
  const claim = await claimKey(trx, scope.tenantId, input.idempotencyKey, procedure, hash);
  if (!claim.claimed) return replay<T>(trx, scope.tenantId, input.idempotencyKey, procedure, hash);
  const result = await work();
  await storeResponse(trx, scope.tenantId, input.idempotencyKey, result);
  return result;
}

/** The lines a request names (all of the order's when it names none); an unknown id is NOT_FOUND. */
function selectLines(lines: readonly LineRow[], lineIds: readonly string[] | undefined): LineRow[] {
  if (!lineIds) return [...lines];
  return lineIds.map((id, index) => {
    const line = lines.find((l) => l.id === id);
    if (!line) throw notFound('order line', `lineIds.${index}`);
    return line;
  });
}

async function lineFacts(trx: Trx, tenantId: string, lines: readonly LineRow[]): Promise<LineFacts[]> {
  const allocations = await findAllocations(trx, tenantId, lines.map((l) => l.id));
  return lines.map((l) => ({ lineId: l.id, state: l.state, sourceId: l.sourceId, allocations: allocations.filter((a) => a.lineId === l.id) }));
}

/**
 * Moves the chosen lines' stock as `plan` decides, after locking every
 * balance they touch in key order; writes the lines' new state and the
 * order's status. Lines a plan leaves unchanged are skipped.
 */
async function changeLines(
  trx: Trx,
  scope: TenantScope,
  order: OrderRow,
  chosen: readonly LineRow[],
  plan: (facts: LineFacts) => { ok: true; value: { movements: TaggedMovement[]; changed: boolean } } | Rejection,
  newState: LineRow['state'],
): Promise<Order> {
  const facts = await lineFacts(trx, scope.tenantId, chosen);
  const decided = facts.map((f) => {
    const decision = plan(f);
    if (!decision.ok) throw rejectionError(decision);
    return { facts: f, ...decision.value };
  });
  const movements = decided.flatMap((d) => d.movements.map((m) => ({ ...m, orderId: order.id, orderLineId: d.facts.lineId })));
  const locked = await lockBalances(trx, scope.tenantId, movements);
  await applyMovements(trx, scope.tenantId, locked, movements, { actor: scope.actor });
  for (const d of decided) if (d.changed) await updateLine(trx, scope.tenantId, d.facts.lineId, { state: newState });
  if (newState === 'cancelled') await deleteAllocations(trx, scope.tenantId, decided.filter((d) => d.changed).map((d) => d.facts.lineId));
  const lines = await findLines(trx, scope.tenantId, [order.id]);
  const status = orderStatus(lines.map((l) => l.state));
  if (status !== order.status) await setOrderStatus(trx, scope.tenantId, order.id, status);
  const result = toApiOrder({ ...order, status }, lines);
  await insertEvents(trx, scope.tenantId, [orderEvent(result)]);
  return result;
}

export type CancelResult = { order: Order; tombstoned: false } | { order: null; tombstoned: true };

/** orders.cancel: reverses the allocation; before the order exists, leaves a tombstone. */
export async function cancelOrder(scope: TenantScope, input: z.infer<typeof ordersCancelInput>): Promise<CancelResult> {
  return inTransaction(scope.db, (trx) =>
    onceForKey(trx, scope, 'orders.cancel', input, async (): Promise<CancelResult> => {
      if (!(await findChannel(trx, scope.tenantId, input.channelId))) throw notFound('channel', 'channelId');
      await lockExternalOrder(trx, scope.tenantId, input.channelId, input.externalOrderId);
      const order = await lockOrderByExternalId(trx, scope.tenantId, input.channelId, input.externalOrderId);
      if (!order) {
        if (input.lineIds) throw notFound('order', 'externalOrderId');
        await insertTombstone(trx, scope.tenantId, input.channelId, input.externalOrderId);
        return { order: null, tombstoned: true };
      }
      const chosen = selectLines(await findLines(trx, scope.tenantId, [order.id]), input.lineIds);
      return { order: await changeLines(trx, scope, order, chosen, planCancel, 'cancelled'), tombstoned: false };
    }),
  );
}

export async function markShipped(scope: TenantScope, input: z.infer<typeof ordersMarkShippedInput>): Promise<Order> {
  return inTransaction(scope.db, (trx) =>
    onceForKey(trx, scope, 'orders.markShipped', input, async () => {
      const order = await lockOrder(trx, scope.tenantId, input.orderId);
      if (!order) throw notFound('order', 'orderId');
      const lines = await findLines(trx, scope.tenantId, [order.id]);
      // Without named lines: ship what can ship (cancelled and unmatched lines stay as they are).
      const chosen = input.lineIds ? selectLines(lines, input.lineIds) : lines.filter((l) => l.state === 'allocated' || l.state === 'shipped');
      if (chosen.length === 0) throw badRequest('orderId', 'the order has no line that can ship', 'LINE_NOT_OPEN');
      return changeLines(trx, scope, order, chosen, planShip, 'shipped');
    }),
  );
}

/**
 * orders.sendToFulfillmentCenter: lines the default source took as a fallback
 * move to an FC: the named one, else the one routing expected, else the first
 * FC (by priority) that ships there and has the units.
 */
export async function sendToFulfillmentCenter(scope: TenantScope, input: z.infer<typeof ordersSendToFulfillmentCenterInput>): Promise<Order> {
  return inTransaction(scope.db, (trx) =>
    onceForKey(trx, scope, 'orders.sendToFulfillmentCenter', input, async () => {
      const { tenantId } = scope;
      const order = await lockOrder(trx, tenantId, input.orderId);
      if (!order) throw notFound('order', 'orderId');
      const sources = await listSources(trx, tenantId);
      const defaultSource = sources.find((s) => s.isDefault);
      if (!defaultSource) throw badRequest(undefined, 'the tenant has no default source');
      if (input.sourceId !== undefined && !sources.some((s) => s.sourceId === input.sourceId)) throw notFound('source', 'sourceId');
      const allLines = await findLines(trx, tenantId, [order.id]);
      const chosen = input.lineIds
        ? selectLines(allLines, input.lineIds)
        : allLines.filter((l) => l.state === 'allocated' && l.sourceId === defaultSource.sourceId);
      if (chosen.length === 0) throw badRequest('orderId', 'no line of this order is held by the default source', 'LINE_NOT_AT_DEFAULT_SOURCE');
      const facts = await lineFacts(trx, tenantId, chosen);
      const fcs = sources.filter((s) => !s.isDefault && s.kind !== 'merchant');
      const keys = facts.flatMap((f) => f.allocations.flatMap((a) => [a, ...fcs.map((fc) => ({ sourceId: fc.sourceId, sku: a.sku }))]));
      const locked = await lockBalances(trx, tenantId, keys);
      const availableAt = (sourceId: string) =>
        new Map(facts.flatMap((f) => f.allocations.map((a) => [a.sku, available(locked.get(balanceKeyString({ sourceId, sku: a.sku })) ?? { onHand: 0, committed: 0 })] as const)));

      for (const f of facts) {
        const line = chosen.find((l) => l.id === f.lineId)!;
        const candidates = fcs.map((fc) => ({ ...fc, availableBySku: availableAt(fc.sourceId) }));
        const targetId = input.sourceId ?? chooseFulfillmentCenter(f, line.expectedSourceId, candidates, order.shipToCountry);
        const target = sources.find((s) => s.sourceId === targetId);
        if (!target) throw badRequest('sourceId', 'no fulfillment center ships there with the units; name one', 'NO_FULFILLMENT_CENTER_CAN_FILL');
        const decision = planSendToFulfillmentCenter(f, defaultSource.sourceId, { ...target, availableBySku: availableAt(target.sourceId) }, order.shipToCountry);
        if (!decision.ok) throw rejectionError(decision);
        const tagged = decision.value.movements.map((m) => ({ ...m, orderId: order.id, orderLineId: f.lineId }));
        await applyMovements(trx, tenantId, locked, tagged, { actor: scope.actor, idempotencyKey: input.idempotencyKey });
        await deleteAllocations(trx, tenantId, [f.lineId]);
        await insertAllocations(trx, tenantId, decision.value.allocations.map((a) => ({ lineId: f.lineId, ...a })));
        await updateLine(trx, tenantId, f.lineId, { sourceId: target.sourceId, reason: 'ROUTED_TO_FULFILLMENT_CENTER' });
      }
      const result = toApiOrder(order, await findLines(trx, tenantId, [order.id]));
      await insertEvents(trx, tenantId, [orderEvent(result)]);
      return result;
    }),
  );
}

export async function getOrder(scope: TenantScope, orderId: string): Promise<Order> {
  const order = await findOrder(scope.db, scope.tenantId, orderId);
  if (!order) throw notFound('order', 'orderId');
  return toApiOrder(order, await findLines(scope.db, scope.tenantId, [order.id]));
}

export async function listOrdersPage(scope: TenantScope, input: z.infer<typeof ordersListInput>): Promise<{ orders: Order[]; nextCursor: string | null }> {
  const limit = input?.limit ?? 50;
  let before: { createdAt: string; id: string } | undefined;
  if (input?.cursor) {
    const [createdAt, id] = input.cursor.split('|');
    if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) throw badRequest('cursor', 'is not a cursor this API returned');
    before = { createdAt, id };
  }
  const rows = await listOrders(scope.db, scope.tenantId, { status: input?.status, sku: input?.sku, before, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const lines = await findLines(scope.db, scope.tenantId, page.map((o) => o.id));
  const last = page[page.length - 1];
  return {
    orders: page.map((o) => toApiOrder(o, lines.filter((l) => l.orderId === o.id))),
    nextCursor: rows.length > limit && last ? `${last.createdAt}|${last.id}` : null,
  };
}
