import {
  backgroundRequestSchema,
  pageOnlyRequestTypes,
  type ActionReply,
  type Marketplace,
  type HistoryReply,
  type SearchAttentionReply,
  type SearchCatalogReply,
  type SettingsReply,
  type SkuOrdersReply,
  type BackgroundReplies,
  type BackgroundRequest,
  type ConnectionStatus,
  type ExplainReply,
  type LookupReply,
  type LookupRow,
} from '@onhand/shared';
import type { ConnectionSettings } from '../settings/connection-settings';
import type { SenderKind } from './sender-check';
import { describeFailure, type ServerApi } from './server-api';

export interface BackgroundDeps {
  loadSettings(): Promise<ConnectionSettings>;
  createApi(settings: ConnectionSettings): ServerApi;
  /** Rows already reported with `listings.reportSeen` (by identity), so each is reported once per worker life. */
  reported?: Set<string>;
  /** Portals the seller turned the overlay off for (none when absent). */
  loadDisabledPortals?(): Promise<Set<Marketplace>>;
}

type LookupRequest = Extract<BackgroundRequest, { type: 'listings.lookup' }>;

const notConfiguredMessage = 'Connect onhand: add the server address and your token in the extension options.';
const invalid = { ok: false, problem: 'error', message: 'The extension sent a request the background does not accept.' } as const;
const defaultReported = new Set<string>();
/**
 * When each report (by row identity) reached the server. A lookup sent
 * before a row's report landed (by another tab, or this page's previous
 * render) still sees the row unknown: it looks the row up again once the
 * report is in, instead of answering "unknown" until the next render.
 */
const reportsLanding = new WeakMap<Set<string>, Map<string, Promise<number>>>();

/**
 * Answers one message from a content script or extension page. Never throws:
 * every failure becomes a reply that says what went wrong. The caller has
 * already checked the sender; this validates the message itself.
 */
export async function handleBackgroundRequest(
  raw: unknown,
  deps: BackgroundDeps,
  // Who asked: the caller checked the sender. Page-only requests (search, settings, …) are refused from content scripts.
  from: SenderKind = 'content-script',
): Promise<BackgroundReplies[keyof BackgroundReplies]> {
  const parsed = backgroundRequestSchema.safeParse(raw);
  if (!parsed.success) return invalid;
  const request = parsed.data;
  if (from !== 'extension-page' && pageOnlyRequestTypes.has(request.type)) return invalid;
  if (request.type === 'connection.status') return statusOf(await deps.loadSettings(), deps);
  if (request.type === 'connection.test') return statusOf({ serverUrl: request.serverUrl.replace(/\/+$/, ''), token: request.token.trim() || null }, deps);
  if (request.type === 'overlay.enabled') return { enabled: !(await disabledPortals(deps)).has(request.marketplace) };
  if (request.type === 'listings.lookup' && (await disabledPortals(deps)).has(request.marketplace)) {
    return { ok: false, problem: 'not-configured', message: 'The onhand overlay is turned off for this portal in the extension options.' };
  }
  return withServer(deps, (api) => answer(request, api, deps));
}

const disabledPortals = (deps: BackgroundDeps) => deps.loadDisabledPortals?.() ?? Promise.resolve(new Set<Marketplace>());

type ServerRequest = Exclude<BackgroundRequest, { type: 'connection.status' | 'connection.test' | 'overlay.enabled' }>;
type ServerReply = LookupReply | ExplainReply | ActionReply | SearchCatalogReply | SearchAttentionReply | SkuOrdersReply | HistoryReply | SettingsReply;

/** A SKU's open orders shown in the popup (the newest; it says when there are more). */
const openOrdersShown = 20;

async function answer(request: ServerRequest, api: ServerApi, deps: BackgroundDeps): Promise<ServerReply> {
  switch (request.type) {
    case 'listings.lookup':
      return { ok: true, data: { rows: await lookupAndReport(request, api, deps.reported ?? defaultReported) } };
    case 'search.catalog':
      return { ok: true, data: await api.searchCatalog(request.limit === undefined ? { query: request.query } : { query: request.query, limit: request.limit }) };
    case 'search.attention':
      return { ok: true, data: await api.attention() };
    case 'orders.openForSku': {
      // Both calls go out in one batched request.
      const [page, channels] = await Promise.all([api.ordersForSku({ sku: request.sku, status: 'open', limit: openOrdersShown }), api.channels()]);
      return { ok: true, data: { orders: page.orders, more: page.nextCursor !== null, channels } };
    }
    case 'inventory.history': {
      const { type: _type, ...input } = request;
      return { ok: true, data: await api.history(input) };
    }
    case 'inventory.adjust': {
      const { type: _type, ...input } = request;
      await api.adjust(input);
      return { ok: true };
    }
    case 'settings.get': {
      const { notCountedAfterDays, inventoryManagedElsewhere } = await api.getSettings();
      return { ok: true, data: { notCountedAfterDays, inventoryManagedElsewhere } };
    }
    case 'settings.update':
      await api.updateSettings({ notCountedAfterDays: request.notCountedAfterDays, idempotencyKey: request.idempotencyKey });
      return { ok: true };
    case 'negatives.explain':
      return { ok: true, data: await api.explainNegative({ sku: request.sku, sourceId: request.sourceId }) };
    case 'listings.import':
      await api.importListing({ listingId: request.listingId, idempotencyKey: request.idempotencyKey });
      return { ok: true };
    case 'orders.sendToFulfillmentCenter': {
      const { type: _type, ...input } = request;
      await api.sendToFulfillmentCenter(input);
      return { ok: true };
    }
    case 'orders.cancel': {
      const { type: _type, ...input } = request;
      await api.cancelOrder(input);
      return { ok: true };
    }
    case 'sources.enableAutoFulfill':
      await api.enableAutoFulfill({ sourceId: request.sourceId, idempotencyKey: request.idempotencyKey });
      return { ok: true };
    case 'inventory.setQuantity': {
      const { type: _type, ...input } = request;
      await api.setQuantity(input);
      return { ok: true };
    }
  }
}

async function withServer<T>(deps: BackgroundDeps, call: (api: ServerApi) => Promise<T>): Promise<T | ActionReply> {
  try {
    const settings = await deps.loadSettings();
    if (!settings.token) return { ok: false, problem: 'not-configured', message: notConfiguredMessage };
    return await call(deps.createApi(settings));
  } catch (error) {
    return { ok: false, ...describeFailure(error) };
  }
}

/**
 * One batched lookup for the whole page. Rows the server does not know are
 * reported once with `listings.reportSeen` (they become untracked listings
 * that can be imported); only those rows are then looked up again, so the
 * page gets their listing ids in the same answer.
 */
async function lookupAndReport(request: LookupRequest, api: ServerApi, reported: Set<string>): Promise<LookupRow[]> {
  const { marketplace, region } = request;
  const place = region === undefined ? { marketplace } : { marketplace, region };
  const strip = ({ title: _title, ...row }: LookupRequest['rows'][number]) => row;
  let landings = reportsLanding.get(reported);
  if (!landings) reportsLanding.set(reported, (landings = new Map()));
  const sentAt = performance.now();
  const { rows } = await api.lookup({ ...place, rows: request.rows.map(strip) });

  const byKey = new Map(request.rows.map((row) => [row.key, row]));
  const unknown = rows
    .filter((row) => row.match === 'unknown')
    .map((row) => byKey.get(row.key))
    .filter((row): row is LookupRequest['rows'][number] => row !== undefined);
  const fresh = unknown.filter((row) => !reported.has(identity(request, row)) && !landings.has(identity(request, row)));
  // Rows another lookup reported: worth a second look only if that report landed after this lookup was sent.
  const landedSince = async (row: LookupRequest['rows'][number]) => {
    const landing = landings.get(identity(request, row));
    return landing !== undefined && (await landing.catch(() => -1)) > sentAt;
  };
  const reportedMeanwhile = (await Promise.all(unknown.filter((row) => !fresh.includes(row)).map(async (row) => ((await landedSince(row)) ? [row] : [])))).flat();

  if (fresh.length > 0) {
    const landing = api.reportSeen({ ...place, rows: fresh.map(({ key: _key, ...row }) => row) }).then(() => performance.now());
    for (const row of fresh) landings.set(identity(request, row), landing);
    try {
      await landing;
    } catch {
      for (const row of fresh) landings.delete(identity(request, row));
      return rows; // reporting is best effort: the badges still show what is known
    }
    for (const row of fresh) reported.add(identity(request, row));
  }
  const recheck = [...fresh, ...reportedMeanwhile];
  if (recheck.length === 0) return rows;
  const again = await api.lookup({ ...place, rows: recheck.map(strip) });
  const updated = new Map(again.rows.map((row) => [row.key, row]));
  return rows.map((row) => updated.get(row.key) ?? row);
}

function identity(request: LookupRequest, row: { channelSku?: string; externalId?: string }): string {
  return JSON.stringify([request.marketplace, request.region ?? '', row.channelSku ?? '', row.externalId ?? '']);
}

/** Whether a server answers and accepts a token: the saved settings, or ones the options page is about to save. */
async function statusOf(settings: ConnectionSettings, deps: BackgroundDeps): Promise<ConnectionStatus> {
  const base = { serverUrl: settings.serverUrl, reachable: false, authorized: false, tenantName: null };
  const api = deps.createApi(settings);
  // Both calls go out in one batched request when there is a token.
  const [health, account] = await Promise.allSettled([api.health(), settings.token ? api.account() : Promise.resolve(null)]);
  if (health.status === 'rejected') {
    const failure = describeFailure(health.reason);
    return { ...base, problem: failure.problem, message: failure.message };
  }
  if (!settings.token) {
    return { ...base, reachable: true, problem: 'not-configured', message: 'The server answers. Add your token in the onhand options.' };
  }
  if (account.status === 'rejected') {
    const failure = describeFailure(account.reason);
    return { ...base, reachable: true, problem: failure.problem, message: failure.message };
  }
  const tenantName = account.value?.tenantName ?? null;
  return { ...base, reachable: true, authorized: true, tenantName, problem: null, message: tenantName ? `Connected to ${tenantName}.` : 'Connected.' };
}
