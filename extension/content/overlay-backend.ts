import type { ActionReply, BackgroundRequest, ExplainReply, LookupReply, Marketplace, PageRow } from '@onhand/shared';
import { askBackground } from '../messaging/ask-background';

type ActionRequest = Extract<
  BackgroundRequest,
  { type: 'listings.import' | 'orders.sendToFulfillmentCenter' | 'orders.cancel' | 'sources.enableAutoFulfill' | 'inventory.setQuantity' }
>;

/**
 * What the overlay needs from the outside world: the background in the
 * extension, a fake in tests. The content script never talks to the server.
 */
export interface OverlayBackend {
  lookup(request: { marketplace: Marketplace; region?: string; rows: PageRow[] }): Promise<LookupReply>;
  explain(sku: string, sourceId: string): Promise<ExplainReply>;
  act(request: ActionRequest): Promise<ActionReply>;
}

const notResponding = { ok: false, problem: 'error', message: 'The onhand extension is not responding. Reload the page.' } as const;

/** The background worker as the overlay's backend. A dead worker becomes a failure reply, never a throw. */
export const backgroundBackend: OverlayBackend = {
  lookup: (request) => askBackground({ type: 'listings.lookup', ...request }).catch(() => notResponding),
  explain: (sku, sourceId) => askBackground({ type: 'negatives.explain', sku, sourceId }).catch(() => notResponding),
  act: (request) => askBackground(request).catch(() => notResponding),
};
