import { describe, expect, it, vi } from 'vitest';
import type { ConnectionSettings } from '../settings/connection-settings';
import { AttentionBadge } from './attention-badge';
import { ChangesHub } from './changes-hub';
import { handleBackgroundRequest, type BackgroundDeps } from './handle-request';
import type { ChangeHandlers, ServerApi } from './server-api';

const configured: ConnectionSettings = { serverUrl: 'http://127.0.0.1:8787', token: 'seller-token' };
const counts = (negatives: number, untracked: number, failedPushes: number, drifting = 0) => ({
  counts: { negatives, untracked, failedPushes, drifting, total: negatives + untracked + failedPushes + drifting },
  negatives: [],
  untracked: [],
  failedPushes: [],
  drifting: [],
});

function api(overrides: Partial<ServerApi> = {}): ServerApi {
  return {
    health: vi.fn(async () => ({ ok: true })),
    account: vi.fn(async () => ({ tenantName: 'Demo seller' })),
    searchCatalog: vi.fn(async () => ({ results: [] })),
    attention: vi.fn(async () => counts(1, 0, 0)),
    history: vi.fn(async () => ({ entries: [], nextCursor: null })),
    adjust: vi.fn(async () => ({})),
    getSettings: vi.fn(async () => ({ notCountedAfterDays: 30, inventoryManagedElsewhere: false })),
    updateSettings: vi.fn(async () => ({ notCountedAfterDays: 9, inventoryManagedElsewhere: false })),
    lookup: vi.fn(async () => ({ rows: [] })),
    ...overrides,
  } as unknown as ServerApi;
}

describe('requests from the popup and the options page', () => {
  it('answers search, attention, history, adjust and settings only to extension pages', async () => {
    const server = api();
    const deps: BackgroundDeps = { loadSettings: async () => configured, createApi: () => server };
    const requests = [
      { type: 'search.catalog', query: 'B0DEMO' },
      { type: 'search.attention' },
      { type: 'inventory.history', sku: 'MUG', sourceId: 'mf', limit: 40 },
      { type: 'inventory.adjust', sku: 'MUG', sourceId: 'mf', delta: -2, reason: 'damaged', idempotencyKey: 'k1' },
      { type: 'settings.get' },
      { type: 'settings.update', notCountedAfterDays: 9, idempotencyKey: 'k2' },
      { type: 'connection.test', serverUrl: 'http://127.0.0.1:9999', token: 'x' },
    ];
    for (const request of requests) {
      expect(await handleBackgroundRequest(request, deps, 'content-script')).toMatchObject({ ok: false, problem: 'error' });
    }
    expect(server.searchCatalog).not.toHaveBeenCalled();
    expect(await handleBackgroundRequest(requests[0], deps, 'extension-page')).toEqual({ ok: true, data: { results: [] } });
    expect(server.searchCatalog).toHaveBeenCalledWith({ query: 'B0DEMO' });
    expect(await handleBackgroundRequest(requests[1], deps, 'extension-page')).toMatchObject({ ok: true, data: { counts: { total: 1 } } });
    expect(await handleBackgroundRequest(requests[2], deps, 'extension-page')).toMatchObject({ ok: true });
    expect(server.history).toHaveBeenCalledWith({ sku: 'MUG', sourceId: 'mf', limit: 40 });
    expect(await handleBackgroundRequest(requests[3], deps, 'extension-page')).toEqual({ ok: true });
    expect(server.adjust).toHaveBeenCalledWith({ sku: 'MUG', sourceId: 'mf', delta: -2, reason: 'damaged', idempotencyKey: 'k1' });
    expect(await handleBackgroundRequest(requests[4], deps, 'extension-page')).toEqual({ ok: true, data: { notCountedAfterDays: 30, inventoryManagedElsewhere: false } });
    expect(await handleBackgroundRequest(requests[5], deps, 'extension-page')).toEqual({ ok: true });
    // A zero adjustment, or a search with unknown keys, never reaches the server.
    expect(await handleBackgroundRequest({ ...requests[3], delta: 0 }, deps, 'extension-page')).toMatchObject({ ok: false });
    expect(await handleBackgroundRequest({ ...requests[0], path: 'admin' }, deps, 'extension-page')).toMatchObject({ ok: false });
  });

  it("answers a SKU's open orders (one page, with the channels to name them) to extension pages only", async () => {
    const order = { orderId: 'o1', channelId: 'c1', externalOrderId: 'E1', placedAt: '2026-11-20T10:00:00Z', shipTo: { country: 'US' }, status: 'open' as const, lines: [] };
    const channel = { channelId: 'c1', marketplace: 'ebay' as const, region: 'US', name: 'eBay US', sourceIds: [] };
    const server = api({ ordersForSku: vi.fn(async () => ({ orders: [order], nextCursor: 'next' })), channels: vi.fn(async () => [channel]) });
    const deps: BackgroundDeps = { loadSettings: async () => configured, createApi: () => server };
    const request = { type: 'orders.openForSku', sku: 'MUG' };
    expect(await handleBackgroundRequest(request, deps, 'content-script')).toMatchObject({ ok: false });
    expect(server.ordersForSku).not.toHaveBeenCalled();
    expect(await handleBackgroundRequest(request, deps, 'extension-page')).toEqual({ ok: true, data: { orders: [order], more: true, channels: [channel] } });
    expect(server.ordersForSku).toHaveBeenCalledWith({ sku: 'MUG', status: 'open', limit: 20 });
    expect(await handleBackgroundRequest({ ...request, sku: ' MUG' }, deps, 'extension-page')).toMatchObject({ ok: false }); // not a SKU
  });

  it('tests a server address and token before they are saved, with those values', async () => {
    const createApi = vi.fn((settings: ConnectionSettings) =>
      api({ account: vi.fn(async () => (settings.token === 'good' ? { tenantName: 'Other seller' } : Promise.reject(new Error('x')))) }),
    );
    const deps: BackgroundDeps = { loadSettings: async () => configured, createApi };
    const status = await handleBackgroundRequest({ type: 'connection.test', serverUrl: 'http://127.0.0.1:9999/', token: ' good ' }, deps, 'extension-page');
    expect(createApi).toHaveBeenCalledWith({ serverUrl: 'http://127.0.0.1:9999', token: 'good' });
    expect(status).toMatchObject({ authorized: true, tenantName: 'Other seller', serverUrl: 'http://127.0.0.1:9999' });
  });

  it('tells content scripts whether their portal is on, and looks nothing up for a portal turned off', async () => {
    const server = api();
    const deps: BackgroundDeps = { loadSettings: async () => configured, createApi: () => server, loadDisabledPortals: async () => new Set(['ebay'] as const) };
    expect(await handleBackgroundRequest({ type: 'overlay.enabled', marketplace: 'ebay' }, deps)).toEqual({ enabled: false });
    expect(await handleBackgroundRequest({ type: 'overlay.enabled', marketplace: 'amazon' }, deps)).toEqual({ enabled: true });
    const reply = await handleBackgroundRequest({ type: 'listings.lookup', marketplace: 'ebay', rows: [{ key: 'a', channelSku: 'A' }] }, deps);
    expect(reply).toMatchObject({ ok: false, problem: 'not-configured' });
    expect(server.lookup).not.toHaveBeenCalled();
  });
});

describe('AttentionBadge', () => {
  it('shows the number of things that need attention, nothing at zero, "!" when the server refuses', async () => {
    const setBadge = vi.fn();
    let answer: () => Promise<ReturnType<typeof counts>> = async () => counts(2, 1, 1, 3);
    const badge = new AttentionBadge({ loadSettings: async () => configured, createApi: () => api({ attention: () => answer() }), setBadge, debounceMs: 1 });
    await badge.recount();
    expect(setBadge).toHaveBeenLastCalledWith(expect.objectContaining({ text: '7', title: expect.stringContaining('2 negative, 1 untracked, 1 failed push, 3 drifting') }));
    answer = async () => counts(0, 0, 0);
    badge.refresh();
    badge.refresh(); // debounced into one recount
    await new Promise((r) => setTimeout(r, 20));
    expect(setBadge).toHaveBeenCalledTimes(2);
    expect(setBadge).toHaveBeenLastCalledWith(expect.objectContaining({ text: '' }));
    answer = () => Promise.reject(new TypeError('Failed to fetch'));
    await badge.recount();
    expect(setBadge).toHaveBeenLastCalledWith(expect.objectContaining({ text: '!', title: expect.stringContaining('cannot be reached') }));
  });

  it('is empty without a token', async () => {
    const setBadge = vi.fn();
    await new AttentionBadge({ loadSettings: async () => ({ ...configured, token: null }), createApi: () => api(), setBadge }).recount();
    expect(setBadge).toHaveBeenCalledWith(expect.objectContaining({ text: '' }));
  });
});

describe('ChangesHub listeners', () => {
  it('keep the subscription open without tabs, hear every event, and are told when it (re)starts', async () => {
    let handlers: ChangeHandlers | null = null;
    const stop = vi.fn();
    const subscribeChanges = vi.fn((_last: string | null, h: ChangeHandlers) => ((handlers = h), stop));
    const hub = new ChangesHub({ loadSettings: async () => configured, createApi: () => ({ subscribeChanges }) as unknown as ServerApi, coalesceMs: 1 });
    const heard = vi.fn();
    const unlisten = hub.listen(heard);
    await new Promise((r) => setTimeout(r, 5));
    expect(subscribeChanges).toHaveBeenCalledTimes(1);
    handlers!.onStarted();
    handlers!.onEvent({ id: '7', kind: 'balance', sku: 'ANY' });
    expect(heard.mock.calls).toEqual([[null], [{ id: '7', kind: 'balance', sku: 'ANY' }]]);
    unlisten();
    expect(stop).toHaveBeenCalled();
  });

  it('tells a port added for everything (the popup) about changes to any SKU', async () => {
    let handlers: ChangeHandlers | null = null;
    const hub = new ChangesHub({
      loadSettings: async () => configured,
      createApi: () => ({ subscribeChanges: (_l: string | null, h: ChangeHandlers) => ((handlers = h), () => {}) }) as unknown as ServerApi,
      coalesceMs: 1,
    });
    const port = { postMessage: vi.fn(), onMessage: { addListener: () => {} }, onDisconnect: { addListener: () => {} } };
    hub.add(port, { everything: true });
    await new Promise((r) => setTimeout(r, 5));
    handlers!.onEvent({ id: '1', kind: 'balance', sku: 'NOT-WATCHED' });
    await new Promise((r) => setTimeout(r, 10));
    expect(port.postMessage).toHaveBeenCalledWith({ type: 'changed' });
  });
});
