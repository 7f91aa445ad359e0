import type { OrderLine } from '@onhand/shared';

type Reason = OrderLine['reason'];

/**
 * Why routing sent a line where it did, in the words of the design's table
 * ("Routing and fallback"), with the source named. `source` is where the
 * line went (for a fallback: the default source, MF).
 */
export function reasonInWords(reason: Reason, source: string): string {
  switch (reason) {
    case 'MARKETPLACE_FULFILLED':
      return `The listing is fulfilled by the marketplace itself: ${source} fills it.`;
    case 'ROUTED_TO_FULFILLMENT_CENTER':
      return `${source} is a fulfillment center mapped to the channel with auto-fulfill on, ships to the destination and has the quantity.`;
    case 'ROUTED_TO_SOURCE':
      return `Normal allocation to ${source}, a source of the channel with stock.`;
    case 'AUTO_FULFILL_OFF':
      return `A fulfillment center's quantity is synced to this channel but its auto-fulfill is off: ${source}, the default source, took it (it can go negative) until the order is sent to the fulfillment center.`;
    case 'FULFILLMENT_CENTER_CANNOT_FILL':
      return `The expected fulfillment center cannot fill it (it does not serve the destination, or has too few): ${source}, the default source, took it.`;
    case 'UNTRACKED_LISTING':
      return `The order came from a listing onhand does not manage: ${source}, the default source, took it.`;
    case 'OVERSOLD':
      return `No source has the quantity: ${source}, the default source, took it and goes negative.`;
    case 'UNMATCHED':
      return 'onhand does not know this line’s listing yet: the line is held until it is matched.';
  }
}

/** True when the default source took the line as a fallback (it may be what made a number negative). */
export function isFallback(reason: Reason): boolean {
  return reason === 'AUTO_FULFILL_OFF' || reason === 'FULFILLMENT_CENTER_CANNOT_FILL' || reason === 'UNTRACKED_LISTING' || reason === 'OVERSOLD';
}

/** Why routing passed over one source (a routing trace entry), in words. */
export function skipInWords(skipped: string, shipToCountry: string): string {
  switch (skipped) {
    case 'NOT_SOLD_ON_CHANNEL':
      return 'not a source of this channel';
    case 'AUTO_FULFILL_OFF':
      return 'auto-fulfill is off';
    case 'DOES_NOT_SHIP_TO_DESTINATION':
      return `does not ship to ${shipToCountry}`;
    case 'INSUFFICIENT_QUANTITY':
      return 'not enough available';
    case 'NOT_THE_MARKETPLACE_FULFILLMENT_CENTER':
      return 'not the marketplace’s own fulfillment center';
    case 'LISTING_NOT_TRACKED':
      return 'the listing is not tracked by onhand';
    default:
      return skipped.toLowerCase().replaceAll('_', ' ');
  }
}
