import type { Marketplace } from '@onhand/shared';
export interface PushRequest { channelId: string; region: string; listingId: string; channelSku: string | null; externalId: string | null; quantity: number; /** what onhand believes the marketplace holds now (last acknowledged), null if unknown: compare-and-set */ expectedQuantity: number | null; /** stable per outbox record: a retried push with the same id must take effect once */ pushId: string }
export type PushResult =
  | { ok: true; quantity: number }
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; message: string }
  | { ok: false; kind: 'transient'; message: string }
  | { ok: false; kind: 'conflict'; currentQuantity: number; message: string }
  | { ok: false; kind: 'rejected'; message: string };
export interface MarketplaceConnector { marketplace: Marketplace; push(request: PushRequest, signal?: AbortSignal): Promise<PushResult>; }
