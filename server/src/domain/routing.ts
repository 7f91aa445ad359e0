/**
 * Which source fills one order line, and why (design.md "Routing and
 * fallback"). Every line lands somewhere: when no candidate can fill it the
 * default source takes it and may go negative, and the reason code says which
 * of the seed's fallback cases it was so "Why is this negative?" can explain it.
 */

export type RoutingReason =
  | 'MARKETPLACE_FULFILLED'
  | 'ROUTED_TO_FULFILLMENT_CENTER'
  | 'ROUTED_TO_SOURCE'
  | 'AUTO_FULFILL_OFF'
  | 'FULFILLMENT_CENTER_CANNOT_FILL'
  | 'UNTRACKED_LISTING'
  | 'OVERSOLD';

export type SkipCause =
  | 'NOT_SOLD_ON_CHANNEL'
  | 'AUTO_FULFILL_OFF'
  | 'DOES_NOT_SHIP_TO_DESTINATION'
  | 'INSUFFICIENT_QUANTITY'
  | 'NOT_THE_MARKETPLACE_FULFILLMENT_CENTER'
  | 'LISTING_NOT_TRACKED';

export interface RoutingSource {
  sourceId: string;
  kind: 'merchant' | 'fba' | 'deliverr' | '3pl';
  isDefault: boolean;
  autoFulfill: boolean;
  /** Empty = ships anywhere. */
  shipsTo: readonly string[];
  /** Lower first. */
  priority: number;
  /** Units of the line's SKU available there now (for a bundle: whole kits). */
  available: number;
}

export interface RoutingInput {
  quantity: number;
  shipToCountry: string;
  listing: { status: 'tracked' | 'untracked'; fulfilledBy: 'merchant' | 'marketplace' };
  /** Sources the channel may sell from, in priority order; empty = every source by priority. */
  channelSourceIds: readonly string[];
  /** Every source of the tenant; exactly one isDefault. */
  sources: readonly RoutingSource[];
}

export interface RoutingDecision {
  sourceId: string;
  reason: RoutingReason;
  trace: { sourceId: string; skipped: SkipCause }[];
}

type TraceEntry = RoutingDecision['trace'][number];

const fallbackReasons: ReadonlySet<RoutingReason> = new Set([
  'AUTO_FULFILL_OFF',
  'FULFILLMENT_CENTER_CANNOT_FILL',
  'UNTRACKED_LISTING',
  'OVERSOLD',
]);

/** True for the reasons where the default source took the line as a fallback (it may go negative). */
export function isFallback(reason: RoutingReason): boolean {
  return fallbackReasons.has(reason);
}

// sourceId breaks priority ties so the same input always routes the same way.
const byPriority = (a: RoutingSource, b: RoutingSource): number =>
  a.priority - b.priority || (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0);

/** The default source is the seller's own warehouse even if its kind says otherwise; it is never an FC. */
const isFulfillmentCenter = (source: RoutingSource): boolean => source.kind !== 'merchant' && !source.isDefault;

function defaultSourceOf(sources: readonly RoutingSource[]): RoutingSource {
  const found = sources.find((source) => source.isDefault);
  // Every tenant is created with its default source; without one there is
  // nowhere for a fallback to go, which is a data bug, not a routing outcome.
  if (!found) throw new Error('routing needs the tenant default source');
  return found;
}

/** Every source except the chosen one, by priority, all with the same cause. */
function traceAllBut(sources: readonly RoutingSource[], chosenId: string, skipped: SkipCause): TraceEntry[] {
  return [...sources]
    .sort(byPriority)
    .filter((source) => source.sourceId !== chosenId)
    .map((source) => ({ sourceId: source.sourceId, skipped }));
}

function candidatesOf(input: RoutingInput): RoutingSource[] {
  if (input.channelSourceIds.length === 0) return [...input.sources].sort(byPriority);
  const byId = new Map(input.sources.map((source) => [source.sourceId, source]));
  const seen = new Set<string>();
  const candidates: RoutingSource[] = [];
  for (const id of input.channelSourceIds) {
    const source = byId.get(id);
    // A mapping may still name a deleted source, or name one twice.
    if (!source || seen.has(id)) continue;
    seen.add(id);
    candidates.push(source);
  }
  return candidates;
}

/** What a candidate can do for this line, judged on every check (the fallback reason needs them all). */
interface Assessment {
  source: RoutingSource;
  autoFulfillOff: boolean;
  shipsThere: boolean;
  hasQuantity: boolean;
  /** The first check that failed, in the order the rules list them; undefined = it can fill the line. */
  skipped: SkipCause | undefined;
}

function assess(source: RoutingSource, input: RoutingInput): Assessment {
  const autoFulfillOff = isFulfillmentCenter(source) && !source.autoFulfill;
  const shipsThere = source.shipsTo.length === 0 || source.shipsTo.includes(input.shipToCountry);
  const hasQuantity = source.available >= input.quantity;
  const skipped: SkipCause | undefined = autoFulfillOff
    ? 'AUTO_FULFILL_OFF'
    : !shipsThere
      ? 'DOES_NOT_SHIP_TO_DESTINATION'
      : !hasQuantity
        ? 'INSUFFICIENT_QUANTITY'
        : undefined;
  return { source, autoFulfillOff, shipsThere, hasQuantity, skipped };
}

/** Which seed reason made the default source take a line no candidate could fill. */
function fallbackReason(assessed: readonly Assessment[], fallback: RoutingSource, quantity: number): RoutingReason {
  // Seed reason 1: an FC could have filled it, only auto-fulfill stopped it.
  if (assessed.some((a) => a.autoFulfillOff && a.shipsThere && a.hasQuantity)) return 'AUTO_FULFILL_OFF';
  // Seed reason 3: an FC was expected to fill it and could not, while the
  // default source does hold the stock (so the line is not simply oversold).
  const fulfillmentCenterFailed = assessed.some(
    (a) =>
      isFulfillmentCenter(a.source) &&
      a.source.autoFulfill &&
      (a.skipped === 'DOES_NOT_SHIP_TO_DESTINATION' ||
        (a.skipped === 'INSUFFICIENT_QUANTITY' && fallback.available >= quantity)),
  );
  if (fulfillmentCenterFailed) return 'FULFILLMENT_CENTER_CANNOT_FILL';
  // Seed reason 5: nobody has the quantity.
  return 'OVERSOLD';
}

export function routeLine(input: RoutingInput): RoutingDecision {
  const fallback = defaultSourceOf(input.sources);

  // An FBA offer is shipped by Amazon from FBA stock whatever onhand thinks;
  // recording it anywhere else would commit stock that never moves.
  if (input.listing.fulfilledBy === 'marketplace') {
    const fba = [...input.sources].sort(byPriority).find((source) => source.kind === 'fba') ?? fallback;
    return {
      sourceId: fba.sourceId,
      reason: 'MARKETPLACE_FULFILLED',
      trace: traceAllBut(input.sources, fba.sourceId, 'NOT_THE_MARKETPLACE_FULFILLMENT_CENTER'),
    };
  }

  // onhand does not manage this listing's stock, so it has no basis to pick
  // a source; the order still happened and must be committed somewhere.
  if (input.listing.status === 'untracked') {
    return {
      sourceId: fallback.sourceId,
      reason: 'UNTRACKED_LISTING',
      trace: traceAllBut(input.sources, fallback.sourceId, 'LISTING_NOT_TRACKED'),
    };
  }

  const candidates = candidatesOf(input);
  const candidateIds = new Set(candidates.map((source) => source.sourceId));
  const assessed: Assessment[] = [];
  let chosen: Assessment | undefined;
  for (const source of candidates) {
    const assessment = assess(source, input);
    assessed.push(assessment);
    if (assessment.skipped === undefined) {
      chosen = assessment;
      break;
    }
  }

  const chosenId = chosen?.source.sourceId ?? fallback.sourceId;
  // Candidates after the winner were never considered, so they get no entry;
  // a skipped default stays in the trace even when it then takes the line.
  const candidateTrace: TraceEntry[] = assessed.flatMap((a) =>
    a.skipped === undefined ? [] : [{ sourceId: a.source.sourceId, skipped: a.skipped }],
  );
  const nonCandidateTrace = traceAllBut(
    input.sources.filter((source) => !candidateIds.has(source.sourceId)),
    chosenId,
    'NOT_SOLD_ON_CHANNEL',
  );
  const trace = [...candidateTrace, ...nonCandidateTrace];

  if (chosen) {
    const reason = isFulfillmentCenter(chosen.source) ? 'ROUTED_TO_FULFILLMENT_CENTER' : 'ROUTED_TO_SOURCE';
    return { sourceId: chosenId, reason, trace };
  }
  return { sourceId: chosenId, reason: fallbackReason(assessed, fallback, input.quantity), trace };
}
