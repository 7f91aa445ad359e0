import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@onhand/server';
import type {
  AdjustReason,
  Channel,
  ConnectionProblem,
  HistoryOutput,
  LookupOutput,
  Marketplace,
  NegativeExplanation,
  Order,
  SearchAttentionOutput,
  SearchCatalogOutput,
  TenantSettings,
} from '@onhand/shared';
import type { ConnectionSettings } from '../settings/connection-settings';
import { FetchEventSource } from './fetch-event-source';

export interface LookupCall {
  marketplace: Marketplace;
  region?: string;
  rows: { key: string; channelSku?: string; externalId?: string; displayedQuantity?: number }[];
}

export interface ReportSeenCall {
  marketplace: Marketplace;
  region?: string;
  rows: { channelSku?: string; externalId?: string; title?: string; displayedQuantity?: number }[];
}

/** The server calls the extension makes, behind one seam for tests. */
export interface ServerApi {
  health(): Promise<unknown>;
  account(): Promise<{ tenantName: string }>;
  lookup(input: LookupCall): Promise<LookupOutput>;
  reportSeen(input: ReportSeenCall): Promise<unknown>;
  importListing(input: { listingId: string; idempotencyKey: string }): Promise<unknown>;
  explainNegative(input: { sku: string; sourceId: string }): Promise<NegativeExplanation>;
  sendToFulfillmentCenter(input: { orderId: string; lineIds?: string[]; sourceId?: string; idempotencyKey: string }): Promise<unknown>;
  cancelOrder(input: { orderId: string; lineIds?: string[]; idempotencyKey: string }): Promise<unknown>;
  enableAutoFulfill(input: { sourceId: string; idempotencyKey: string }): Promise<unknown>;
  setQuantity(input: { sku: string; sourceId: string; onHand: number; idempotencyKey: string }): Promise<unknown>;
  adjust(input: { sku: string; sourceId: string; delta: number; reason: AdjustReason; note?: string; idempotencyKey: string }): Promise<unknown>;
  history(input: { sku: string; sourceId?: string; limit?: number }): Promise<HistoryOutput>;
  searchCatalog(input: { query: string; limit?: number }): Promise<SearchCatalogOutput>;
  attention(): Promise<SearchAttentionOutput>;
  /** Orders with a line for `sku`, newest first (one page). */
  ordersForSku(input: { sku: string; status: 'open'; limit: number }): Promise<{ orders: Order[]; nextCursor: string | null }>;
  channels(): Promise<Channel[]>;
  getSettings(): Promise<TenantSettings>;
  updateSettings(input: { notCountedAfterDays: number; idempotencyKey: string }): Promise<TenantSettings>;
  /** The tenant's live changes; `lastEventId` resumes after a lost subscription. Returns a stop function. */
  subscribeChanges(lastEventId: string | null, handlers: ChangeHandlers): () => void;
}

/** One change the server announced (api.md "changes"). */
export interface ChangeEvent {
  id: string;
  kind: string;
  sku?: string;
  /** Order events name every SKU of the order. */
  skus?: string[];
  listingId?: string;
}

export interface ChangeHandlers {
  onEvent(event: ChangeEvent): void;
  /** The subscription started (or restarted): anything may have changed meanwhile. */
  onStarted(): void;
  /** The stream dropped (server down, network gone); it reconnects by itself. */
  onConnectionLost(): void;
  /** The subscription ended for good (token refused, server refused it). */
  onError(error: unknown): void;
}

export interface Failure {
  problem: ConnectionProblem;
  message: string;
}

/** A server that does not answer within this is treated as unreachable. */
const requestTimeoutMs = 10_000;

function fetchWithTimeout(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(input, { ...init, signal });
}

/**
 * A tRPC client for the configured server. `httpBatchLink` folds calls made in
 * the same tick (e.g. health + account for the status check) into one
 * request; subscriptions go over SSE (`httpSubscriptionLink`).
 */
export function createServerApi(settings: ConnectionSettings): ServerApi {
  const auth = (): Record<string, string> => (settings.token ? { Authorization: `Bearer ${settings.token}` } : {});
  const url = `${settings.serverUrl}/trpc`;
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, EventSource: FetchEventSource, eventSourceOptions: () => ({ headers: auth() }) }),
        // POST even for queries: a whole page's lookup is too long for a URL.
        false: httpBatchLink({ url, fetch: fetchWithTimeout, headers: auth, methodOverride: 'POST' }),
      }),
    ],
  });
  const listings = client.listings;
  return {
    health: () => client.health.check.query(),
    account: () => client.account.get.query(),
    lookup: (input) => listings.lookup.query(input),
    reportSeen: (input) => listings.reportSeen.mutate(input),
    importListing: (input) => listings.import.mutate(input),
    explainNegative: (input) => client.negatives.explain.query(input),
    sendToFulfillmentCenter: (input) => client.orders.sendToFulfillmentCenter.mutate(input),
    async cancelOrder({ orderId, lineIds, idempotencyKey }) {
      // The remedy names onhand's order id; cancelling speaks the marketplace's order id.
      const order = await client.orders.get.query({ orderId });
      return client.orders.cancel.mutate({ channelId: order.channelId, externalOrderId: order.externalOrderId, lineIds, idempotencyKey });
    },
    enableAutoFulfill: ({ sourceId, idempotencyKey }) => client.sources.update.mutate({ sourceId, autoFulfill: true, idempotencyKey }),
    setQuantity: (input) => client.inventory.setQuantity.mutate(input),
    adjust: (input) => client.inventory.adjust.mutate(input),
    history: (input) => client.inventory.history.query(input),
    searchCatalog: (input) => client.search.catalog.query(input),
    attention: () => client.search.attention.query(),
    ordersForSku: (input) => client.orders.list.query(input),
    channels: () => client.channels.list.query(),
    getSettings: () => client.settings.get.query(),
    updateSettings: (input) => client.settings.update.mutate(input),
    subscribeChanges(lastEventId, handlers) {
      const subscription = client.changes.subscribe.subscribe(lastEventId ? { lastEventId } : undefined, {
        onStarted: () => handlers.onStarted(),
        onData: (tracked) => {
          const event = (tracked as { data?: unknown }).data as Record<string, unknown> | undefined;
          const id = (tracked as { id?: unknown }).id;
          if (!event || typeof id !== 'string') return;
          const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
          const skus = Array.isArray(event.skus) ? event.skus.filter((s): s is string => typeof s === 'string') : undefined;
          handlers.onEvent({ id, kind: text(event.kind) ?? 'unknown', sku: text(event.sku), skus, listingId: text(event.listingId) });
        },
        onConnectionStateChange: (state) => {
          if (state.state === 'connecting' && state.error) handlers.onConnectionLost();
        },
        onError: (error) => handlers.onError(error),
      });
      return () => subscription.unsubscribe();
    },
  };
}

/** Turns whatever a call threw into a problem a seller can act on. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    const status = data?.httpStatus ?? responseStatus(error);
    if (data?.code === 'UNAUTHORIZED' || status === 401) {
      return { problem: 'unauthorized', message: 'The server did not accept the token. Check it in the onhand options.' };
    }
    if (!data && isNetworkFailure(error.cause)) return unreachable();
    if (!data) return { problem: 'error', message: 'The address does not answer like an onhand server.' };
    // The server's own message is meant for people (e.g. "order already shipped"); it is shown as text.
    const detail = typeof error.message === 'string' && error.message.length <= 300 ? `: ${error.message}` : '';
    return { problem: 'error', message: `The server refused (${data.code ?? status ?? 'unknown'})${detail}` };
  }
  if (isNetworkFailure(error)) return unreachable();
  return { problem: 'error', message: 'Something went wrong while asking the onhand server.' };
}

function unreachable(): Failure {
  return { problem: 'unreachable', message: 'The onhand server cannot be reached. Is it running?' };
}

/** fetch rejects with a TypeError when nothing answers, and with an abort when our timeout fires. */
function isNetworkFailure(cause: unknown): boolean {
  if (cause instanceof TypeError) return true;
  const name = (cause as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function responseStatus(error: TRPCClientError<AppRouter>): number | undefined {
  const response = (error.meta as { response?: { status?: unknown } } | undefined)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}
