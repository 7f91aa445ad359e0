/**
 * The quantity onhand publishes to a marketplace for one listing (design.md
 * "Quantity published to channels"): the sum of max(0, available) over the
 * sources the channel may sell from, then the listing's rules, floored at 0.
 * A bundle publishes as many kits as its scarcest component makes.
 */
export interface ListingRules {
  /** Publish this percentage of what is available (rounded down). */
  percent: number | null;
  /** Hold this many back. */
  buffer: number | null;
  /** Never publish more than this. */
  max: number | null;
}

export const noRules: ListingRules = { percent: null, buffer: null, max: null };

export interface PublishingInput {
  fulfilledBy: 'merchant' | 'marketplace';
  /** What one unit of the listing takes: itself (perUnit 1) or a bundle's components. */
  parts: readonly { perUnit: number; availableBySource: ReadonlyMap<string, number> }[];
  /** Sources the channel may sell from; empty means every source. */
  channelSourceIds: readonly string[];
  rules: ListingRules;
}

/** Sellable units of one part over the channel's sources (negatives count as 0). */
function sellable(availableBySource: ReadonlyMap<string, number>, channelSourceIds: readonly string[]): number {
  const ids = channelSourceIds.length > 0 ? channelSourceIds : [...availableBySource.keys()];
  return ids.reduce((sum, id) => sum + Math.max(0, availableBySource.get(id) ?? 0), 0);
}

/** null when the marketplace counts the listing itself (FBA offers). */
export function publishedQuantity(input: PublishingInput): number | null {
  if (input.fulfilledBy === 'marketplace') return null;
  if (input.parts.length === 0) return 0;
  let quantity = Math.min(...input.parts.map((p) => Math.floor(sellable(p.availableBySource, input.channelSourceIds) / p.perUnit)));
  const { percent, buffer, max } = input.rules;
  if (percent !== null) quantity = Math.floor((quantity * percent) / 100);
  if (buffer !== null) quantity -= buffer;
  if (max !== null) quantity = Math.min(quantity, max);
  return Math.max(0, quantity);
}

/** A page showing another number than onhand publishes is drifting. */
export function isDrift(displayed: number | undefined, published: number | null): boolean {
  return displayed !== undefined && published !== null && displayed !== published;
}
