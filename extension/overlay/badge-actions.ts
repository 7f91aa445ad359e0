import type { Cause, NegativeExplanation } from '@onhand/shared';

export type Remedy = Cause['remedies'][number];
export type ActionResult = { ok: true } | { ok: false; message: string };
export type ExplainResult = { ok: true; data: NegativeExplanation } | { ok: false; message: string };

/**
 * What a badge can ask for. The content script implements these through the
 * background (one specific message per action); the components never see
 * the page, the server or the messaging.
 */
export interface BadgeActions {
  importListing(listingId: string): Promise<ActionResult>;
  explain(sku: string, sourceId: string): Promise<ExplainResult>;
  /** `quantity` is the number the seller typed, for SET_QUANTITY. */
  applyRemedy(remedy: Remedy, quantity?: number): Promise<ActionResult>;
}
