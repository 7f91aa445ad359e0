import type { LookupRow } from '@onhand/shared';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionSettings } from '../settings/connection-settings';
import { handleBackgroundRequest, type BackgroundDeps } from './handle-request';
import { senderKind } from './sender-check';
import type { LookupCall, ServerApi } from './server-api';

const configured: ConnectionSettings = { serverUrl: 'http://127.0.0.1:8787', token: 'seller-token' };

function row(key: string, match: LookupRow['match'], extra: Partial<LookupRow> = {}): LookupRow {
  return { key, match, sources: [], warnings: [], ...extra };
}

function deps(settings: ConnectionSettings, api: Partial<ServerApi>): BackgroundDeps & { createApi: ReturnType<typeof vi.fn> } {
  const full: ServerApi = {
    health: vi.fn(async () => ({ ok: true })),
    account: vi.fn(async () => ({ tenantName: 'Demo seller' })),
    lookup: vi.fn(async (input: LookupCall) => ({ rows: input.rows.map((r) => row(r.key, 'tracked')) })),
    reportSeen: vi.fn(async () => ({})),
    importListing: vi.fn(async () => ({})),
    explainNegative: vi.fn(async () => ({ available: -2, causes: [] })),
    sendToFulfillmentCenter: vi.fn(async () => ({})),
    cancelOrder: vi.fn(async () => ({})),
    enableAutoFulfill: vi.fn(async () => ({})),
    setQuantity: vi.fn(async () => ({})),
    adjust: vi.fn(async () => ({})),
    history: vi.fn(async () => ({ entries: [], nextCursor: null })),
    searchCatalog: vi.fn(async () => ({ results: [] })),
    ordersForSku: vi.fn(async () => ({ orders: [], nextCursor: null })),
    channels: vi.fn(async () => []),
    attention: vi.fn(async () => ({ counts: { negatives: 0, untracked: 0, failedPushes: 0, drifting: 0, total: 0 }, negatives: [], untracked: [], failedPushes: [], drifting: [] })),
    getSettings: vi.fn(async () => ({ notCountedAfterDays: 30, inventoryManagedElsewhere: false })),
    updateSettings: vi.fn(async () => ({ notCountedAfterDays: 30, inventoryManagedElsewhere: false })),
    subscribeChanges: vi.fn(() => () => {}),
    ...api,
  };
  return { loadSettings: async () => settings, createApi: vi.fn(() => full), reported: new Set() };
}

const networkDown = () => TRPCClientError.from(new TypeError('Failed to fetch'));
const unauthorized = () =>
  TRPCClientError.from({ error: { code: -32001, message: 'UNAUTHORIZED', data: { code: 'UNAUTHORIZED', httpStatus: 401 } } });

const lookupMessage = {
  type: 'listings.lookup',
  marketplace: 'amazon',
  region: 'US',
  rows: [
    { key: 'A', channelSku: 'A', externalId: 'B0AAAAAAAA', displayedQuantity: 3, title: 'Mug' },
    { key: 'B', channelSku: 'B', title: '<img src=x onerror=alert(1)>' },
  ],
};

describe('background requests', () => {
  it('rejects messages that are not a known request, before any server call', async () => {
    const d = deps(configured, {});
    for (const message of [
      null,
      'listings.lookup',
      { type: 'fetch', url: 'https://evil.example' },
      { type: 'trpc', path: 'admin.tenants.create', input: {} },
      { ...lookupMessage, rows: [] },
      { ...lookupMessage, rows: [{ key: 'A' }] }, // no identifier
      { ...lookupMessage, rows: [{ key: 'A', channelSku: 'A' }, { key: 'A', channelSku: 'B' }] }, // duplicate keys
      { ...lookupMessage, marketplace: 'aliexpress' },
      { ...lookupMessage, extra: true },
      { type: 'inventory.setQuantity', sku: 'A', sourceId: 's1', onHand: -1, idempotencyKey: 'k' },
      { type: 'listings.import', listingId: '../admin', idempotencyKey: 'k' },
    ]) {
      expect(await handleBackgroundRequest(message, d), JSON.stringify(message)).toMatchObject({ ok: false, problem: 'error' });
    }
    expect(d.createApi).not.toHaveBeenCalled();
  });

  it('looks a page up in one call, without titles, and returns the rows', async () => {
    const d = deps(configured, {});
    const reply = await handleBackgroundRequest(lookupMessage, d);
    expect(reply).toMatchObject({ ok: true, data: { rows: [{ key: 'A', match: 'tracked' }, { key: 'B', match: 'tracked' }] } });
    const api = d.createApi.mock.results[0]?.value as ServerApi;
    expect(api.lookup).toHaveBeenCalledExactlyOnceWith({
      marketplace: 'amazon',
      region: 'US',
      rows: [
        { key: 'A', channelSku: 'A', externalId: 'B0AAAAAAAA', displayedQuantity: 3 },
        { key: 'B', channelSku: 'B' },
      ],
    });
    expect(api.reportSeen).not.toHaveBeenCalled();
  });

  it('reports unknown rows once (with their titles) and looks only those up again', async () => {
    let reportedYet = false;
    const lookup = vi.fn(async (input: LookupCall) => ({
      rows: input.rows.map((r) => (r.key === 'B' ? row('B', reportedYet ? 'untracked' : 'unknown', reportedYet ? { listingId: 'l-b' } : {}) : row(r.key, 'tracked'))),
    }));
    const reportSeen = vi.fn(async () => {
      reportedYet = true;
      return {};
    });
    const d = deps(configured, { lookup, reportSeen });
    const reply = await handleBackgroundRequest(lookupMessage, d);
    expect(reply).toMatchObject({ ok: true, data: { rows: [{ key: 'A', match: 'tracked' }, { key: 'B', match: 'untracked', listingId: 'l-b' }] } });
    expect(reportSeen).toHaveBeenCalledExactlyOnceWith({ marketplace: 'amazon', region: 'US', rows: [{ channelSku: 'B', title: '<img src=x onerror=alert(1)>' }] });
    expect(lookup).toHaveBeenCalledTimes(2);
    expect(lookup.mock.calls[1]?.[0].rows).toEqual([{ key: 'B', channelSku: 'B' }]);

    // A row the server still does not know is not reported again.
    reportedYet = false;
    await handleBackgroundRequest(lookupMessage, d);
    expect(reportSeen).toHaveBeenCalledTimes(1);
  });

  it('looks a row up again when another page reported it while this lookup was on its way', async () => {
    let reportedYet = false;
    let releaseSecond = () => {};
    const secondOnItsWay = new Promise<void>((resolve) => (releaseSecond = resolve));
    let lookups = 0;
    const lookup = vi.fn(async (input: LookupCall) => {
      lookups += 1;
      const answer = { rows: input.rows.map((r) => (r.key === 'B' ? row('B', reportedYet ? 'untracked' : 'unknown') : row(r.key, 'tracked'))) };
      if (lookups === 2) await secondOnItsWay; // answered before the report landed, delivered after
      return answer;
    });
    const reportSeen = vi.fn(async () => {
      reportedYet = true;
      return {};
    });
    const d = deps(configured, { lookup, reportSeen });
    const first = handleBackgroundRequest(lookupMessage, d);
    const second = handleBackgroundRequest(lookupMessage, d);
    expect(await first).toMatchObject({ ok: true, data: { rows: [{ key: 'A' }, { key: 'B', match: 'untracked' }] } });
    releaseSecond();
    expect(await second).toMatchObject({ ok: true, data: { rows: [{ key: 'A' }, { key: 'B', match: 'untracked' }] } });
    expect(reportSeen).toHaveBeenCalledTimes(1);
  });

  it('says "not configured" without a token, without calling the server', async () => {
    const d = deps({ ...configured, token: null }, {});
    expect(await handleBackgroundRequest(lookupMessage, d)).toMatchObject({ ok: false, problem: 'not-configured' });
    expect(d.createApi).not.toHaveBeenCalled();
  });

  it('maps a network failure to "unreachable" and UNAUTHORIZED to "unauthorized"', async () => {
    const down = deps(configured, { lookup: vi.fn(async () => Promise.reject(networkDown())) });
    expect(await handleBackgroundRequest(lookupMessage, down)).toMatchObject({ ok: false, problem: 'unreachable' });
    const denied = deps(configured, { lookup: vi.fn(async () => Promise.reject(unauthorized())) });
    expect(await handleBackgroundRequest(lookupMessage, denied)).toMatchObject({ ok: false, problem: 'unauthorized' });
  });

  it('runs each action as its own server call', async () => {
    const d = deps(configured, {});
    const api = () => d.createApi.mock.results.at(-1)?.value as ServerApi;
    expect(await handleBackgroundRequest({ type: 'listings.import', listingId: 'l1', idempotencyKey: 'k1' }, d)).toEqual({ ok: true });
    expect(api().importListing).toHaveBeenCalledWith({ listingId: 'l1', idempotencyKey: 'k1' });
    expect(await handleBackgroundRequest({ type: 'sources.enableAutoFulfill', sourceId: 's2', idempotencyKey: 'k2' }, d)).toEqual({ ok: true });
    expect(api().enableAutoFulfill).toHaveBeenCalledWith({ sourceId: 's2', idempotencyKey: 'k2' });
    await handleBackgroundRequest({ type: 'inventory.setQuantity', sku: 'A', sourceId: 's1', onHand: 4, idempotencyKey: 'k3' }, d);
    expect(api().setQuantity).toHaveBeenCalledWith({ sku: 'A', sourceId: 's1', onHand: 4, idempotencyKey: 'k3' });
    await handleBackgroundRequest({ type: 'orders.sendToFulfillmentCenter', orderId: 'o1', lineIds: ['l1'], sourceId: 's2', idempotencyKey: 'k4' }, d);
    expect(api().sendToFulfillmentCenter).toHaveBeenCalledWith({ orderId: 'o1', lineIds: ['l1'], sourceId: 's2', idempotencyKey: 'k4' });
    await handleBackgroundRequest({ type: 'orders.cancel', orderId: 'o1', idempotencyKey: 'k5' }, d);
    expect(api().cancelOrder).toHaveBeenCalledWith({ orderId: 'o1', idempotencyKey: 'k5' });
    expect(await handleBackgroundRequest({ type: 'negatives.explain', sku: 'A', sourceId: 's1' }, d)).toEqual({ ok: true, data: { available: -2, causes: [] } });
  });

  it('reports a working connection with the tenant name', async () => {
    expect(await handleBackgroundRequest({ type: 'connection.status' }, deps(configured, {}))).toEqual({
      serverUrl: configured.serverUrl,
      reachable: true,
      authorized: true,
      tenantName: 'Demo seller',
      problem: null,
      message: 'Connected to Demo seller.',
    });
  });

  it('tells apart an unreachable server, a missing token and a refused token', async () => {
    const down = deps(configured, { health: vi.fn(async () => Promise.reject(networkDown())), account: vi.fn(async () => Promise.reject(networkDown())) });
    expect(await handleBackgroundRequest({ type: 'connection.status' }, down)).toMatchObject({ reachable: false, authorized: false, problem: 'unreachable' });

    const noToken = deps({ ...configured, token: null }, {});
    expect(await handleBackgroundRequest({ type: 'connection.status' }, noToken)).toMatchObject({ reachable: true, authorized: false, problem: 'not-configured' });

    const refused = deps(configured, { account: vi.fn(async () => Promise.reject(unauthorized())) });
    expect(await handleBackgroundRequest({ type: 'connection.status' }, refused)).toMatchObject({ reachable: true, authorized: false, problem: 'unauthorized', tenantName: null });
  });
});

describe('message senders', () => {
  const ownId = 'abcdefghijklmnopabcdefghijklmnop';
  it.each([
    [{ id: ownId, url: `chrome-extension://${ownId}/popup.html` }, 'extension-page'],
    [{ id: ownId, url: `chrome-extension://${ownId}/options.html`, tab: { id: 3 } }, 'extension-page'],
    [{ id: ownId, url: 'https://sellercentral.amazon.de/myinventory/inventory', tab: { id: 4 } }, 'content-script'],
    [{ id: ownId, url: 'https://www.ebay.co.uk/sh/lst/active', tab: { id: 4 } }, 'content-script'],
    [{ id: ownId, url: 'https://shop-1.myshopify.com/admin/products', tab: { id: 4 } }, 'content-script'],
    [{ id: ownId, url: 'https://evil.example/sh/lst/active', tab: { id: 5 } }, null],
    [{ id: ownId, url: 'https://myshopify.com.evil.example/admin/products', tab: { id: 5 } }, null],
    [{ id: ownId, url: 'http://sellercentral.amazon.com/myinventory/inventory', tab: { id: 5 } }, null],
    [{ id: 'another-extension', url: `chrome-extension://another-extension/x.html` }, null],
    [{ url: 'https://sellercentral.amazon.com/myinventory/inventory', tab: { id: 6 } }, null],
  ])('%j is %s', (sender, kind) => {
    expect(senderKind(sender, ownId)).toBe(kind);
  });
});
