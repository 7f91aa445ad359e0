import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import type { LedgerEntry, Order, OrderLine } from '@onhand/shared';
import { AppError } from '../src/errors';
import type { TestDatabase } from '../src/testing';
import { createAdmin, createSeller, databaseKinds, freshDatabase, type Api, type SellerFixture } from './support/harness';
import { mulberry32 } from './support/random';

/**
 * Model-based test of the order lifecycle (issue 4). Random sequences of
 * ingest, duplicate ingest, cancel, cancel-before-create, send-to-FC, ship,
 * set and adjust run from many concurrent clients. Which source a line lands
 * on depends on the interleaving, so the model is built from the server's
 * answers, and only invariants that hold under every interleaving are
 * checked: balances equal the ledger, committed equals what open lines hold,
 * on_hand equals the counts and adjustments minus what shipped (each line
 * once), one order per external id, tombstoned orders and unmatched lines
 * hold nothing, and every refusal is a domain rule.
 */

/** A small deterministic PRNG so a failing seed can be replayed. */

const clients = 16;
const operationsPerSeed = 500;
const skus = ['MOD-A', 'MOD-B', 'MOD-C', 'MOD-D', 'MOD-E', 'MOD-F', 'MOD-G', 'MOD-H'] as const;
/** Listed but untracked: the default source takes it (UNTRACKED_LISTING). */
const untrackedSku = 'MOD-G';
/** Fulfilled by the marketplace: FBA takes it whatever its stock (MARKETPLACE_FULFILLED). */
const marketplaceSku = 'MOD-H';
/** No listing has it: its lines are unmatched. */
const unknownChannelSku = 'EB-NO-SUCH-LISTING';
const channelSkuOf = (sku: string) => `EB-${sku}`;
const externalIdOf = (sku: string) => `ITEM-${sku}`;

type SourceName = 'MF' | 'FBA' | 'Deliverr';
const sourceNames: readonly SourceName[] = ['MF', 'FBA', 'Deliverr'];
const fallbackReasons: ReadonlySet<string> = new Set(['AUTO_FULFILL_OFF', 'FULFILLMENT_CENTER_CANNOT_FILL', 'UNTRACKED_LISTING', 'OVERSOLD']);

interface LinePlan {
  externalLineId: string;
  channelSku?: string;
  externalId?: string;
  quantity: number;
}

interface OrderPlan {
  externalOrderId: string;
  country: 'US' | 'DE';
  lines: LinePlan[];
  /** Cancelled (tombstone) before any ingest of it is issued. */
  tombstoneFirst: boolean;
}

/** Indexes into the order's lines; null = the whole order (no lineIds). */
type LinePick = number[] | null;

type Operation =
  | { kind: 'ingest'; order: OrderPlan; withKey: boolean }
  | { kind: 'duplicate'; order: OrderPlan; withKey: boolean }
  | { kind: 'tombstone'; order: OrderPlan }
  | { kind: 'raceCancel'; order: OrderPlan }
  | { kind: 'cancel'; order: OrderPlan; pick: LinePick; withKey: boolean }
  | { kind: 'sendToFc'; order: OrderPlan; pick: LinePick; target: 'FBA' | 'Deliverr' | null }
  | { kind: 'ship'; order: OrderPlan; pick: LinePick }
  | { kind: 'set'; sku: string; source: SourceName; onHand: number }
  | { kind: 'adjust'; sku: string; source: SourceName; delta: number; reason: 'received' | 'damaged' | 'correction' }
  | { kind: 'autoFulfill'; on: boolean };

/** The operations of one seed, decided up front from the seed alone. */
function planSeed(seed: number): Operation[] {
  const random = mulberry32(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const oneOf = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let orderCount = 0;
  const newOrder = (tombstoneFirst: boolean): OrderPlan => {
    const lines = Array.from({ length: between(1, 3) }, (_, index): LinePlan => {
      const externalLineId = `L${index + 1}`;
      const quantity = between(1, 3);
      const roll = random();
      if (roll < 0.08) return { externalLineId, channelSku: unknownChannelSku, quantity };
      const sku = oneOf(skus);
      return roll < 0.7 ? { externalLineId, channelSku: channelSkuOf(sku), quantity } : { externalLineId, externalId: externalIdOf(sku), quantity };
    });
    const externalOrderId = `S${seed}-${String(orderCount++).padStart(4, '0')}`;
    return { externalOrderId, country: random() < 0.7 ? 'US' : 'DE', lines, tombstoneFirst };
  };
  // Orders an ingest was planned for; later operations act on them, mostly on recent ones so they race.
  const ingested: OrderPlan[] = [];
  const awaitingIngest: OrderPlan[] = [];
  const existing = (): OrderPlan =>
    random() < 0.6 ? ingested[Math.max(0, ingested.length - 1 - Math.floor(random() * 6))]! : oneOf(ingested);
  const pickLines = (order: OrderPlan): LinePick => {
    if (random() < 0.6) return null;
    const picked = order.lines.map((_, index) => index).filter(() => random() < 0.5);
    return picked.length > 0 ? picked : [between(0, order.lines.length - 1)];
  };

  const operations: Operation[] = [];
  while (operations.length < operationsPerSeed) {
    const roll = random();
    if (ingested.length === 0 || roll < 0.24) {
      const order = newOrder(false);
      ingested.push(order);
      operations.push({ kind: 'ingest', order, withKey: random() < 0.5 });
    } else if (roll < 0.32) {
      operations.push({ kind: 'duplicate', order: existing(), withKey: random() < 0.5 });
    } else if (roll < 0.36) {
      const order = newOrder(true);
      awaitingIngest.push(order);
      operations.push({ kind: 'tombstone', order });
    } else if (roll < 0.4) {
      const order = awaitingIngest.shift();
      if (!order) continue;
      ingested.push(order);
      operations.push({ kind: 'ingest', order, withKey: random() < 0.5 });
    } else if (roll < 0.43) {
      const order = newOrder(false);
      ingested.push(order);
      operations.push({ kind: 'raceCancel', order });
    } else if (roll < 0.5) {
      const order = existing();
      operations.push({ kind: 'cancel', order, pick: pickLines(order), withKey: random() < 0.5 });
    } else if (roll < 0.6) {
      const order = existing();
      const targetRoll = random();
      operations.push({ kind: 'sendToFc', order, pick: pickLines(order), target: targetRoll < 0.15 ? 'FBA' : targetRoll < 0.3 ? 'Deliverr' : null });
    } else if (roll < 0.72) {
      const order = existing();
      operations.push({ kind: 'ship', order, pick: pickLines(order) });
    } else if (roll < 0.81) {
      operations.push({ kind: 'set', sku: oneOf(skus), source: oneOf(sourceNames), onHand: between(0, 25) });
    } else if (roll < 0.96) {
      const sku = oneOf(skus);
      const source = oneOf(sourceNames);
      const kindRoll = random();
      if (kindRoll < 0.35) operations.push({ kind: 'adjust', sku, source, delta: between(1, 8), reason: 'received' });
      else if (kindRoll < 0.8) operations.push({ kind: 'adjust', sku, source, delta: -between(1, 5), reason: 'damaged' });
      else operations.push({ kind: 'adjust', sku, source, delta: random() < 0.5 ? 3 : -3, reason: 'correction' });
    } else {
      operations.push({ kind: 'autoFulfill', on: random() < 0.5 });
    }
  }
  // Every order cancelled before creation is created in the end.
  for (const order of awaitingIngest) operations.push({ kind: 'ingest', order, withKey: false });
  return operations;
}

/** What the test knows about one external order, all from the server's answers. */
interface OrderRecord {
  plan: OrderPlan;
  /** Ingests of a tombstone-first order wait for its cancel to be answered. */
  gate: Promise<unknown>;
  /** The first ingest's answer (undefined when it failed). */
  first: Promise<Order | undefined> | undefined;
  /** Every ingest answer, duplicates included. */
  answers: Order[];
  /** Cancels that answered "tombstoned" (the order did not exist when they committed). */
  tombstoneAnswers: number;
  /** For a tombstone-first order: what its cancel answered. */
  cancelledFirst: 'tombstoned' | 'found the order' | 'failed' | undefined;
}

/** A set/adjust call that succeeded, by the id of the ledger entry it wrote. */
interface ManualChange {
  sourceId: string;
  sku: string;
  reason: string;
  kind: 'set' | 'adjust';
  /** set: the counted quantity; adjust: the delta. */
  value: number;
}

type Refused = { refused: string };
const isRefused = (value: unknown): value is Refused => typeof value === 'object' && value !== null && 'refused' in value;

const sendRules = [
  'LINE_NOT_OPEN',
  'LINE_NOT_AT_DEFAULT_SOURCE',
  'FULFILLMENT_CENTER_INSUFFICIENT_QUANTITY',
  'FULFILLMENT_CENTER_DOES_NOT_SHIP_TO_DESTINATION',
  'NO_FULFILLMENT_CENTER_CAN_FILL',
];

function describeError(error: unknown): string {
  if (error instanceof TRPCError) {
    const cause = error.cause instanceof AppError ? ` rule=${error.cause.details.rule ?? '-'}` : error.cause ? ` cause=${String(error.cause)}` : '';
    return `${error.code}: ${error.message}${cause}`;
  }
  return String(error);
}

function expectedStatus(states: readonly OrderLine['state'][]): Order['status'] {
  if (states.every((s) => s === 'cancelled')) return 'cancelled';
  if (states.every((s) => s === 'cancelled' || s === 'shipped')) return 'shipped';
  return 'open';
}

describe.each(databaseKinds)('order lifecycle model on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;
  let admin: Api;
  let channelId: string;
  const sourceId = (name: SourceName) => seller.sources[name];

  // The model, kept across seeds: later seeds act on what earlier ones left.
  const records = new Map<string, OrderRecord>();
  const manualChanges = new Map<string, ManualChange>();
  const answeredCancelled = new Set<string>();
  const answeredShipped = new Set<string>();
  let problems: string[] = [];
  const refusals = new Map<string, number>();
  const done = { ships: 0, sends: 0, cancels: 0, tombstones: 0 };

  /** Runs one call; an allowed domain refusal comes back as its rule, anything else is a problem. */
  async function attempt<T>(label: string, allowedRules: readonly string[], call: () => Promise<T>): Promise<T | Refused> {
    try {
      return await call();
    } catch (error) {
      const rule = error instanceof TRPCError && error.code === 'BAD_REQUEST' && error.cause instanceof AppError ? error.cause.details.rule : undefined;
      if (rule !== undefined && allowedRules.includes(rule)) {
        refusals.set(rule, (refusals.get(rule) ?? 0) + 1);
        return { refused: rule };
      }
      problems.push(`${label}: ${describeError(error)}`);
      return { refused: 'UNEXPECTED' };
    }
  }

  function observe(order: Order): void {
    for (const line of order.lines) {
      if (line.state === 'cancelled') answeredCancelled.add(line.lineId);
      if (line.state === 'shipped') answeredShipped.add(line.lineId);
    }
  }

  function recordFor(plan: OrderPlan): OrderRecord {
    let record = records.get(plan.externalOrderId);
    if (!record) {
      record = { plan, gate: Promise.resolve(), first: undefined, answers: [], tombstoneAnswers: 0, cancelledFirst: undefined };
      records.set(plan.externalOrderId, record);
    }
    return record;
  }

  async function ingest(label: string, record: OrderRecord, idempotencyKey: string | undefined): Promise<Order | undefined> {
    await record.gate;
    const { plan } = record;
    const answer = await attempt(label, [], () =>
      seller.api.orders.ingest({
        channelId,
        externalOrderId: plan.externalOrderId,
        placedAt: '2025-03-01T12:00:00.000Z',
        shipTo: { country: plan.country },
        lines: plan.lines.map((line) => ({ ...line })),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      }),
    );
    if (isRefused(answer)) return undefined;
    record.answers.push(answer);
    observe(answer);
    return answer;
  }

  async function lineIdsOf(record: OrderRecord, pick: LinePick): Promise<string[] | undefined | 'unknown'> {
    if (pick === null) return undefined;
    const first = await record.first;
    if (!first) return 'unknown';
    return pick.map((index) => first.lines[index]!.lineId);
  }

  async function cancel(label: string, record: OrderRecord, pick: LinePick, idempotencyKey: string | undefined): Promise<void> {
    const lineIds = await lineIdsOf(record, pick);
    if (lineIds === 'unknown') return;
    const answer = await attempt(label, ['LINE_NOT_OPEN'], () =>
      seller.api.orders.cancel({
        channelId,
        externalOrderId: record.plan.externalOrderId,
        ...(lineIds ? { lineIds } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
      }),
    );
    if (isRefused(answer)) return;
    done.cancels += 1;
    if (answer.tombstoned) {
      record.tombstoneAnswers += 1;
      if (lineIds) problems.push(`${label}: a cancel naming lines of an existing order answered "tombstoned"`);
      return;
    }
    observe(answer.order);
    const named = lineIds ?? answer.order.lines.map((l) => l.lineId);
    for (const id of named) {
      const line = answer.order.lines.find((l) => l.lineId === id);
      if (line?.state !== 'cancelled') problems.push(`${label}: line ${id} is ${line?.state ?? 'missing'} in the cancel's own answer`);
    }
  }

  async function run(operation: Operation, label: string, key: string): Promise<void> {
    const { api } = seller;
    switch (operation.kind) {
      case 'ingest': {
        const record = recordFor(operation.order);
        const answer = ingest(label, record, operation.withKey ? key : undefined);
        record.first ??= answer;
        await answer;
        return;
      }
      case 'duplicate': {
        await ingest(label, recordFor(operation.order), operation.withKey ? key : undefined);
        return;
      }
      case 'tombstone': {
        const record = recordFor(operation.order);
        record.gate = (async () => {
          const answer = await attempt(label, [], () => api.orders.cancel({ channelId, externalOrderId: operation.order.externalOrderId, idempotencyKey: key }));
          if (isRefused(answer)) record.cancelledFirst = 'failed';
          else if (answer.tombstoned) {
            record.cancelledFirst = 'tombstoned';
            record.tombstoneAnswers += 1;
            done.tombstones += 1;
          } else record.cancelledFirst = 'found the order';
        })();
        await record.gate;
        return;
      }
      case 'raceCancel': {
        // The ingest and the cancel of a new order are in flight together.
        const record = recordFor(operation.order);
        const answer = ingest(`${label} (ingest)`, record, undefined);
        record.first ??= answer;
        await Promise.all([answer, cancel(`${label} (cancel)`, record, null, key)]);
        return;
      }
      case 'cancel': {
        await cancel(label, recordFor(operation.order), operation.pick, operation.withKey ? key : undefined);
        return;
      }
      case 'ship': {
        const record = recordFor(operation.order);
        const first = await record.first;
        const lineIds = await lineIdsOf(record, operation.pick);
        if (!first || lineIds === 'unknown') return;
        const answer = await attempt(label, ['LINE_NOT_OPEN'], () =>
          api.orders.markShipped({ orderId: first.orderId, ...(lineIds ? { lineIds } : {}), idempotencyKey: key }),
        );
        if (isRefused(answer)) return;
        done.ships += 1;
        observe(answer);
        for (const line of answer.lines) {
          const meant = lineIds ? lineIds.includes(line.lineId) : line.state !== 'cancelled' && line.state !== 'unmatched';
          if (meant && line.state !== 'shipped') problems.push(`${label}: line ${line.lineId} is ${line.state} in the ship's own answer`);
        }
        return;
      }
      case 'sendToFc': {
        const record = recordFor(operation.order);
        const first = await record.first;
        const lineIds = await lineIdsOf(record, operation.pick);
        if (!first || lineIds === 'unknown') return;
        const target = operation.target ? sourceId(operation.target) : undefined;
        const answer = await attempt(label, sendRules, () =>
          api.orders.sendToFulfillmentCenter({ orderId: first.orderId, ...(lineIds ? { lineIds } : {}), ...(target ? { sourceId: target } : {}), idempotencyKey: key }),
        );
        if (isRefused(answer)) return;
        done.sends += 1;
        observe(answer);
        for (const line of answer.lines) {
          // The named lines are now at an FC (the target, when named); without names, no allocated line is left at the default source.
          const where = line.sourceId;
          const ok = lineIds?.includes(line.lineId)
            ? line.state === 'allocated' && where !== undefined && where !== sourceId('MF') && (target === undefined || where === target) && line.reason === 'ROUTED_TO_FULFILLMENT_CENTER'
            : lineIds !== undefined || line.state !== 'allocated' || where !== sourceId('MF');
          if (!ok) problems.push(`${label}: line ${line.lineId} after send-to-FC: ${line.state} at ${where ?? '-'} (${line.reason})`);
        }
        return;
      }
      case 'set': {
        const at = sourceId(operation.source);
        const answer = await attempt(label, [], () => api.inventory.setQuantity({ sku: operation.sku, sourceId: at, onHand: operation.onHand, idempotencyKey: key }));
        if (isRefused(answer)) return;
        manualChanges.set(answer.entry.id, { sourceId: at, sku: operation.sku, reason: 'count', kind: 'set', value: operation.onHand });
        if (answer.entry.balanceAfter !== operation.onHand || answer.balance.onHand !== operation.onHand) {
          problems.push(`${label}: set to ${operation.onHand} answered entry ${answer.entry.balanceAfter}, balance ${answer.balance.onHand}`);
        }
        return;
      }
      case 'adjust': {
        const at = sourceId(operation.source);
        const allowed = operation.delta < 0 ? ['INSUFFICIENT_ON_HAND'] : [];
        const answer = await attempt(label, allowed, () =>
          api.inventory.adjust({ sku: operation.sku, sourceId: at, delta: operation.delta, reason: operation.reason, idempotencyKey: key }),
        );
        if (isRefused(answer)) return;
        manualChanges.set(answer.entry.id, { sourceId: at, sku: operation.sku, reason: operation.reason, kind: 'adjust', value: operation.delta });
        if (answer.entry.delta !== operation.delta || answer.entry.balanceAfter !== answer.balance.onHand) {
          problems.push(`${label}: adjust ${operation.delta} answered entry delta ${answer.entry.delta} after ${answer.entry.balanceAfter}, balance ${answer.balance.onHand}`);
        }
        return;
      }
      case 'autoFulfill': {
        await attempt(label, [], () => api.sources.update({ sourceId: sourceId('FBA'), autoFulfill: operation.on, idempotencyKey: key }));
        return;
      }
    }
  }

  async function allListedOrders(api: Api): Promise<Order[]> {
    const orders: Order[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await api.orders.list(cursor === undefined ? {} : { cursor });
      orders.push(...page.orders);
      if (page.nextCursor === null) return orders;
      cursor = page.nextCursor;
    }
  }

  async function wholeLedger(api: Api): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    for (const sku of skus) {
      let cursor: string | undefined;
      for (;;) {
        const page = await api.inventory.history({ sku, limit: 200, ...(cursor === undefined ? {} : { cursor }) });
        entries.push(...page.entries);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
    }
    return entries.sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Every invariant, on the state the whole run (all seeds so far) left; returns what does not hold. */
  async function checkInvariants(): Promise<string[]> {
    const found: string[] = [];
    const { api } = seller;
    const MF = sourceId('MF');
    const FBA = sourceId('FBA');
    const keyOf = (source: string, sku: string) => `${source}/${sku}`;
    const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);

    // 4. One order per external id, however many ingests raced; every ingest answered the same orderId.
    const listed = await allListedOrders(api);
    const listedByExternalId = new Map<string, Order[]>();
    for (const order of listed) listedByExternalId.set(order.externalOrderId, [...(listedByExternalId.get(order.externalOrderId) ?? []), order]);
    if (new Set(listed.map((o) => o.orderId)).size !== listed.length) found.push('orders.list returned an order twice');
    const orders: Order[] = [];
    for (const record of records.values()) {
      const id = record.plan.externalOrderId;
      const [firstAnswer] = record.answers;
      if (!firstAnswer) continue;
      const answeredIds = new Set(record.answers.map((a) => a.orderId));
      if (answeredIds.size !== 1) found.push(`${id}: ${record.answers.length} ingests answered ${answeredIds.size} different orderIds`);
      const listedCopies = listedByExternalId.get(id) ?? [];
      if (listedCopies.length !== 1) found.push(`${id} (${firstAnswer.orderId}): orders.list has it ${listedCopies.length} times, expected once`);
      const order = await api.orders.get({ orderId: firstAnswer.orderId });
      orders.push(order);
      const fromList = listedCopies.find((o) => o.orderId === order.orderId);
      if (fromList && !isDeepStrictEqual(fromList, order)) found.push(`${id}: orders.list and orders.get disagree`);
    }
    for (const order of listed) {
      if (!records.get(order.externalOrderId)?.answers.length) found.push(`orders.list has ${order.externalOrderId}, which no ingest answered`);
    }

    // Lines: what each holds by its state, and routing facts that hold whatever the interleaving.
    const lineById = new Map<string, { order: Order; line: OrderLine }>();
    const committedByLines = new Map<string, number>();
    const shippedByLines = new Map<string, number>();
    for (const order of orders) {
      if (order.status !== expectedStatus(order.lines.map((l) => l.state))) found.push(`${order.externalOrderId}: status ${order.status} with lines ${order.lines.map((l) => l.state).join(',')}`);
      for (const line of order.lines) {
        const where = `${order.externalOrderId}/${line.externalLineId} (${line.lineId})`;
        lineById.set(line.lineId, { order, line });
        if (answeredCancelled.has(line.lineId) && line.state !== 'cancelled') found.push(`${where}: was answered cancelled, is now ${line.state}`);
        if (answeredShipped.has(line.lineId) && line.state !== 'shipped') found.push(`${where}: was answered shipped, is now ${line.state}`);
        if (line.reason === 'UNMATCHED') {
          // 6. Unmatched lines are nowhere.
          if (line.state !== 'unmatched' && line.state !== 'cancelled') found.push(`${where}: unmatched line is ${line.state}`);
          if (line.sourceId !== undefined || line.sku !== undefined) found.push(`${where}: unmatched line names ${line.sourceId}/${line.sku}`);
          continue;
        }
        if (line.state === 'unmatched') found.push(`${where}: state unmatched with reason ${line.reason}`);
        if (line.sourceId === undefined) {
          // Only a line created cancelled (tombstone) was never placed anywhere.
          if (line.state !== 'cancelled') found.push(`${where}: ${line.state} line has no source`);
          continue;
        }
        if (line.sku === undefined) {
          found.push(`${where}: placed line has no sku`);
          continue;
        }
        if (line.sku === marketplaceSku && (line.sourceId !== FBA || line.reason !== 'MARKETPLACE_FULFILLED')) found.push(`${where}: marketplace-fulfilled line at ${line.sourceId} (${line.reason})`);
        if (fallbackReasons.has(line.reason) && line.sourceId !== MF) found.push(`${where}: fallback ${line.reason} at ${line.sourceId}`);
        if (line.sku === untrackedSku && line.reason !== 'UNTRACKED_LISTING' && line.reason !== 'ROUTED_TO_FULFILLMENT_CENTER') found.push(`${where}: untracked listing line has reason ${line.reason}`);
        if (order.shipTo.country === 'DE' && line.sourceId === FBA && line.reason !== 'MARKETPLACE_FULFILLED') found.push(`${where}: FBA (US only) holds a DE line (${line.reason})`);
        if (line.state === 'allocated') add(committedByLines, keyOf(line.sourceId, line.sku), line.quantity);
        if (line.state === 'shipped') add(shippedByLines, keyOf(line.sourceId, line.sku), line.quantity);
      }
    }

    // The ledger replayed in id order (one row's entries are written under its lock, so ids follow commit order).
    const ledger = await wholeLedger(api);
    const onHandReplay = new Map<string, number>();
    const committedReplay = new Map<string, number>();
    const manualSums = new Map<string, number>();
    const committedByLine = new Map<string, Map<string, number>>();
    const shipEntriesByLine = new Map<string, LedgerEntry[]>();
    const ordersWithEntries = new Set<string>();
    const manualSeen = new Set<string>();
    for (const entry of ledger) {
      const key = keyOf(entry.sourceId, entry.sku);
      if (entry.orderId !== undefined) ordersWithEntries.add(entry.orderId);
      const owner = entry.orderLineId !== undefined ? lineById.get(entry.orderLineId) : undefined;
      if (entry.orderLineId !== undefined && (!owner || owner.line.sku !== entry.sku)) found.push(`entry ${entry.id} (${entry.reason}) names line ${entry.orderLineId}, not a line of ${entry.sku}`);
      if (entry.bucket === 'committed') {
        const after = (committedReplay.get(key) ?? 0) + entry.delta;
        committedReplay.set(key, after);
        if (entry.balanceAfter !== after) found.push(`entry ${entry.id}: committed ${key} after ${entry.balanceAfter}, replay gives ${after}`);
        if (!owner) found.push(`entry ${entry.id}: committed change ${entry.reason} without an order line`);
        else {
          const bySource = committedByLine.get(owner.line.lineId) ?? new Map<string, number>();
          bySource.set(entry.sourceId, (bySource.get(entry.sourceId) ?? 0) + entry.delta);
          committedByLine.set(owner.line.lineId, bySource);
        }
        continue;
      }
      const before = onHandReplay.get(key) ?? 0;
      let after = before + entry.delta;
      if (entry.reason === 'order_shipped') {
        if (owner) {
          shipEntriesByLine.set(owner.line.lineId, [...(shipEntriesByLine.get(owner.line.lineId) ?? []), entry]);
          after = before - owner.line.quantity;
        } else found.push(`entry ${entry.id}: order_shipped without an order line`);
      } else {
        const change = manualChanges.get(entry.id);
        if (!change || change.sourceId !== entry.sourceId || change.sku !== entry.sku || change.reason !== entry.reason) {
          found.push(`entry ${entry.id}: on_hand ${entry.reason} ${entry.delta} at ${key} that no answered set/adjust wrote`);
        } else {
          manualSeen.add(entry.id);
          after = change.kind === 'set' ? change.value : before + change.value;
        }
        add(manualSums, key, entry.delta);
      }
      if (entry.balanceAfter !== after) found.push(`entry ${entry.id} (${entry.reason}): on_hand ${key} after ${entry.balanceAfter}, replay gives ${after}`);
      onHandReplay.set(key, after);
    }
    for (const [id, change] of manualChanges) if (!manualSeen.has(id)) found.push(`the answered ${change.kind} ${change.value} at ${change.sourceId}/${change.sku} (entry ${id}) is not in the ledger`);

    // 2 and 3, per (source, sku).
    const { items } = await api.inventory.bySkus({ skus: [...skus] });
    for (const item of items) {
      for (const source of item.sources) {
        const key = keyOf(source.sourceId, item.sku);
        const name = `${source.sourceName}/${item.sku}`;
        const committed = committedByLines.get(key) ?? 0;
        if (source.committed !== committed) found.push(`${name}: committed ${source.committed}, open lines held there total ${committed}`);
        if (source.committed !== (committedReplay.get(key) ?? 0)) found.push(`${name}: committed ${source.committed}, its ledger replays to ${committedReplay.get(key) ?? 0}`);
        const counted = (manualSums.get(key) ?? 0) - (shippedByLines.get(key) ?? 0);
        if (source.onHand !== counted) found.push(`${name}: on_hand ${source.onHand}, counts/adjustments minus shipped lines give ${counted}`);
        if (source.onHand !== (onHandReplay.get(key) ?? 0)) found.push(`${name}: on_hand ${source.onHand}, the answered calls replayed in ledger order give ${onHandReplay.get(key) ?? 0}`);
      }
    }

    // Each line holds exactly what its state says, and shipped exactly once.
    for (const { order, line } of lineById.values()) {
      const where = `${order.externalOrderId}/${line.externalLineId} (${line.lineId}, ${line.state})`;
      const holding = [...(committedByLine.get(line.lineId) ?? new Map<string, number>())].filter(([, quantity]) => quantity !== 0);
      const ships = shipEntriesByLine.get(line.lineId) ?? [];
      if (line.state === 'allocated') {
        if (holding.length !== 1 || holding[0]![0] !== line.sourceId || holding[0]![1] !== line.quantity) found.push(`${where}: holds ${JSON.stringify(holding)}, expected ${line.quantity} at ${line.sourceId}`);
      } else if (holding.length > 0) found.push(`${where}: still holds ${JSON.stringify(holding)}`);
      if (line.state === 'shipped') {
        if (ships.length !== 1 || ships[0]!.sourceId !== line.sourceId || ships[0]!.delta !== -line.quantity) {
          found.push(`${where}: ${ships.length} ship entries (${ships.map((e) => `${e.delta} at ${e.sourceId}`).join(', ')}), expected one of ${-line.quantity} at ${line.sourceId}`);
        }
      } else if (ships.length > 0) found.push(`${where}: has ${ships.length} ship entries`);
      if (line.state === 'unmatched' && committedByLine.has(line.lineId)) found.push(`${where}: unmatched line has ledger entries`);
    }

    // 5. A cancel answered "tombstoned" means the order, when it came, took nothing.
    for (const record of records.values()) {
      const id = record.plan.externalOrderId;
      const [firstAnswer] = record.answers;
      if (record.plan.tombstoneFirst) {
        if (record.cancelledFirst !== 'tombstoned') found.push(`${id}: the cancel before any ingest ${record.cancelledFirst ?? 'never ran'}`);
        if (firstAnswer && (firstAnswer.status !== 'cancelled' || firstAnswer.lines.some((l) => l.state !== 'cancelled' || l.sourceId !== undefined))) {
          found.push(`${id}: ingest after a tombstone answered ${firstAnswer.status} with ${firstAnswer.lines.map((l) => `${l.state}@${l.sourceId ?? '-'}`).join(',')}`);
        }
      }
      if (record.tombstoneAnswers === 0 || !firstAnswer) continue;
      const order = orders.find((o) => o.orderId === firstAnswer.orderId);
      if (!order) continue;
      if (order.status !== 'cancelled' || order.lines.some((l) => l.state !== 'cancelled')) {
        found.push(`${id} (${order.orderId}): a cancel answered "tombstoned", but the order is ${order.status} with lines ${order.lines.map((l) => `${l.state}@${l.sourceId ?? '-'}`).join(',')}`);
      }
      if (ordersWithEntries.has(order.orderId)) found.push(`${id} (${order.orderId}): cancelled before creation, yet it has ledger entries`);
    }

    // 1. Every balance equals its ledger sum.
    const reconciled = await admin.admin.reconcile({ tenantId: seller.tenantId });
    for (const m of reconciled.mismatches) found.push(`reconcile: ${JSON.stringify(m)}`);
    if (reconciled.checked === 0) found.push('reconcile checked no balance');
    return found;
  }

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db, 'Model seller');
    admin = await createAdmin(db);
    const { api } = seller;
    ({ channelId } = await api.channels.create({ marketplace: 'ebay', region: 'US', name: 'eBay US', sourceIds: [sourceId('FBA'), sourceId('MF')], idempotencyKey: 'channel' }));
    const random = mulberry32(1);
    for (const sku of skus) {
      await api.products.upsert({ sku, title: `Model ${sku}`, idempotencyKey: `p-${sku}` });
      await api.listings.upsert({
        channelId,
        sku,
        channelSku: channelSkuOf(sku),
        externalId: externalIdOf(sku),
        fulfilledBy: sku === marketplaceSku ? 'marketplace' : 'merchant',
        status: sku === untrackedSku ? 'untracked' : 'tracked',
        idempotencyKey: `l-${sku}`,
      });
      for (const source of sourceNames) {
        await run({ kind: 'set', sku, source, onHand: Math.floor(random() * 12) }, `initial ${source}/${sku}`, `init-${source}-${sku}`);
      }
    }
    expect(problems).toEqual([]);
  });
  afterAll(async () => db?.close());

  it.each([5, 17, 29])('seed %i: concurrent order lifecycle keeps every invariant', async (seed) => {
    problems = [];
    const operations = planSeed(seed);
    let next = 0;
    const client = async () => {
      while (next < operations.length) {
        const index = next++;
        const operation = operations[index]!;
        const about = 'order' in operation ? ` ${operation.order.externalOrderId}` : '';
        await run(operation, `seed ${seed} #${index} ${operation.kind}${about}`, `seed-${seed}-${index}`);
      }
    };
    await Promise.all(Array.from({ length: clients }, client));

    const found = [...problems, ...(await checkInvariants())];
    expect(found.slice(0, 40), `${found.length} invariant violations or unexpected errors`).toEqual([]);
    // The run exercised what it claims to.
    expect(done.ships).toBeGreaterThan(0);
    expect(done.sends).toBeGreaterThan(0);
    expect(done.cancels).toBeGreaterThan(0);
    expect(done.tombstones).toBeGreaterThan(0);
    expect(refusals.get('LINE_NOT_OPEN') ?? 0).toBeGreaterThan(0);
  });
});
