import { mulberry32 } from '@onhand/server/testing';

/**
 * A marketplace's stream of order events (created, cancelled) as a sender
 * replays it — duplicates, cancels before their orders, some orders that never
 * come, random order — and the in-memory model of what onhand must hold once
 * every event is acknowledged.
 *
 * The catalogue is chosen so that the end state does not depend on the order
 * in which events land: the channel sells from MF only (so merchant lines
 * always land on MF, taking it negative if need be), FBA offers always land
 * on FBA, and a cancelled order holds nothing whether the cancel came first
 * (tombstone) or after (reversal).
 */

export type SourceName = 'MF' | 'FBA';

export interface CatalogueItem {
  sku: string;
  channelSku: string;
  fulfilledBy: 'merchant' | 'marketplace';
  status: 'tracked' | 'untracked';
  /** Where its lines land: MF for merchant offers (tracked or not), FBA for marketplace-fulfilled. */
  landsOn: SourceName;
  /** A bundle takes its components, not itself. */
  components?: { sku: string; quantity: number }[];
}

export const catalogue: readonly CatalogueItem[] = [
  ...['FLT-A', 'FLT-B', 'FLT-C', 'FLT-D', 'FLT-E'].map((sku): CatalogueItem => ({ sku, channelSku: `AMZ-${sku}`, fulfilledBy: 'merchant', status: 'tracked', landsOn: 'MF' })),
  { sku: 'FLT-KIT', channelSku: 'AMZ-FLT-KIT', fulfilledBy: 'merchant', status: 'tracked', landsOn: 'MF', components: [{ sku: 'FLT-A', quantity: 2 }, { sku: 'FLT-B', quantity: 1 }] },
  { sku: 'FLT-UNTRACKED', channelSku: 'AMZ-FLT-UNTRACKED', fulfilledBy: 'merchant', status: 'untracked', landsOn: 'MF' },
  { sku: 'FLT-FBA', channelSku: 'AMZ-FLT-FBA', fulfilledBy: 'marketplace', status: 'tracked', landsOn: 'FBA' },
];

/** A channel SKU no listing has: its lines are held as unmatched and take nothing. */
export const unknownChannelSku = 'AMZ-NOT-LISTED';

/** Stock counted before the events: MF has a little of each simple SKU (orders take it negative), FBA has its SKU. */
export const openingStock: readonly { source: SourceName; sku: string; onHand: number }[] = [
  ...catalogue.filter((c) => !c.components && c.landsOn === 'MF').map((c) => ({ source: 'MF' as const, sku: c.sku, onHand: 40 })),
  { source: 'FBA', sku: 'FLT-FBA', onHand: 500 },
];

/** Every SKU that holds stock (bundles hold none). */
export const stockSkus = [...new Set(openingStock.map((s) => s.sku))];

export interface EventLine {
  externalLineId: string;
  channelSku: string;
  quantity: number;
}

interface EventBase {
  /** The marketplace's delivery id: a duplicate delivery repeats it. */
  eventId: string;
  externalOrderId: string;
  /** Most deliveries carry a key (the event id); the rest rely on onhand's natural idempotency. */
  idempotencyKey: string | undefined;
}

export type OrderEvent =
  | (EventBase & { kind: 'created'; placedAt: string; country: 'US' | 'DE'; lines: EventLine[] })
  | (EventBase & { kind: 'cancelled' });

type Random = () => number;

/** The deterministic PRNG of the server's tests, so a failing seed can be replayed (FAULTS_SEED). */
export { mulberry32 };

export function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Exactly `count` deliveries: per order one creation, a cancel for ~30% of
 * them, ~20% of deliveries repeated, a few cancels for orders that never
 * arrive; then shuffled, so many cancels come before their orders.
 */
export function orderEvents(count: number, seed: number): OrderEvent[] {
  const random = mulberry32(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const keyFor = (eventId: string) => (random() < 0.8 ? `evt-${eventId}` : undefined);
  const skus = [...catalogue.map((c) => c.channelSku), unknownChannelSku];
  const events: OrderEvent[] = [];
  for (let n = 1; events.length < count; n += 1) {
    const externalOrderId = `114-${seed}-${String(n).padStart(6, '0')}`;
    const roll = random();
    if (roll < 0.03) {
      // A cancel for an order that never comes: a tombstone only.
      events.push({ kind: 'cancelled', eventId: `${externalOrderId}-x`, externalOrderId, idempotencyKey: keyFor(`${externalOrderId}-x`) });
    } else {
      const lines = Array.from({ length: between(1, 3) }, (_, i) => ({
        externalLineId: `${i + 1}`,
        // One line in 20 names a listing onhand does not know.
        channelSku: random() < 0.05 ? unknownChannelSku : skus[Math.floor(random() * (skus.length - 1))]!,
        quantity: between(1, 3),
      }));
      const eventId = `${externalOrderId}-c`;
      events.push({ kind: 'created', eventId, externalOrderId, idempotencyKey: keyFor(eventId), placedAt: new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString(), country: random() < 0.8 ? 'US' : 'DE', lines });
      if (roll > 0.7) events.push({ kind: 'cancelled', eventId: `${externalOrderId}-x`, externalOrderId, idempotencyKey: keyFor(`${externalOrderId}-x`) });
    }
    // Redeliveries: the same delivery again (same event id, same key).
    const last = events[events.length - 1]!;
    if (random() < 0.2) events.push({ ...last });
  }
  return shuffle(events.slice(0, count), random);
}

export interface ExpectedLine {
  externalLineId: string;
  quantity: number;
  /** null: unmatched (no listing). */
  sku: string | null;
  source: SourceName | null;
}

export interface ExpectedOrder {
  externalOrderId: string;
  status: 'open' | 'cancelled';
  lines: ExpectedLine[];
}

export interface ExpectedState {
  orders: Map<string, ExpectedOrder>;
  /** External ids that were only ever cancelled: no order may exist for them. */
  tombstoneOnly: Set<string>;
  /** `${source}|${sku}` → onHand and committed. */
  balances: Map<string, { onHand: number; committed: number }>;
}

export const balanceKey = (source: SourceName, sku: string) => `${source}|${sku}`;

/** The state onhand must hold once every one of `events` was acknowledged, in whatever order they landed. */
export function expectedState(events: readonly OrderEvent[]): ExpectedState {
  const created = new Map<string, Extract<OrderEvent, { kind: 'created' }>>();
  const cancelled = new Set<string>();
  for (const event of events) {
    if (event.kind === 'created') created.set(event.externalOrderId, event);
    else cancelled.add(event.externalOrderId);
  }
  const balances = new Map(openingStock.map((s) => [balanceKey(s.source, s.sku), { onHand: s.onHand, committed: 0 }]));
  const orders = new Map<string, ExpectedOrder>();
  for (const [externalOrderId, event] of created) {
    const isCancelled = cancelled.has(externalOrderId);
    const lines = event.lines.map((line): ExpectedLine => {
      const item = catalogue.find((c) => c.channelSku === line.channelSku);
      if (!item) return { externalLineId: line.externalLineId, quantity: line.quantity, sku: null, source: null };
      if (!isCancelled) {
        for (const part of item.components ?? [{ sku: item.sku, quantity: 1 }]) {
          const balance = balances.get(balanceKey(item.landsOn, part.sku))!;
          balance.committed += part.quantity * line.quantity;
        }
      }
      return { externalLineId: line.externalLineId, quantity: line.quantity, sku: item.sku, source: item.landsOn };
    });
    orders.set(externalOrderId, { externalOrderId, status: isCancelled ? 'cancelled' : 'open', lines });
  }
  const tombstoneOnly = new Set([...cancelled].filter((id) => !created.has(id)));
  return { orders, tombstoneOnly, balances };
}
