import type { BySkusOutput } from '@onhand/shared';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionSettings } from '../settings/connection-settings';
import { handleBackgroundRequest, type BackgroundDeps } from './handle-request';
import type { ServerApi } from './server-api';

const configured: ConnectionSettings = { serverUrl: 'http://127.0.0.1:8787', token: 'seller-token' };
const empty: BySkusOutput = { items: [], unknownSkus: ['A'] };

function deps(settings: ConnectionSettings, api: Partial<ServerApi>): BackgroundDeps & { createApi: ReturnType<typeof vi.fn> } {
  const full: ServerApi = {
    health: vi.fn(async () => ({ ok: true })),
    account: vi.fn(async () => ({ tenantName: 'Demo seller' })),
    bySkus: vi.fn(async () => empty),
    ...api,
  };
  return { loadSettings: async () => settings, createApi: vi.fn(() => full) };
}

const networkDown = () => TRPCClientError.from(new TypeError('Failed to fetch'));
const unauthorized = () =>
  TRPCClientError.from({ error: { code: -32001, message: 'UNAUTHORIZED', data: { code: 'UNAUTHORIZED', httpStatus: 401 } } });

describe('background requests', () => {
  it('rejects messages that are not a known request', async () => {
    const d = deps(configured, {});
    for (const message of [null, 'inventory.bySkus', { type: 'fetch', url: 'https://evil.example' }, { type: 'inventory.bySkus', skus: [] }]) {
      expect(await handleBackgroundRequest(message, d)).toMatchObject({ ok: false, problem: 'error' });
    }
    expect(d.createApi).not.toHaveBeenCalled();
  });

  it('asks the server once for the distinct SKUs of a page', async () => {
    const bySkus = vi.fn(async () => empty);
    const reply = await handleBackgroundRequest({ type: 'inventory.bySkus', skus: ['A', 'B', 'A'] }, deps(configured, { bySkus }));
    expect(reply).toEqual({ ok: true, data: empty });
    expect(bySkus).toHaveBeenCalledExactlyOnceWith(['A', 'B']);
  });

  it('says "not configured" without a token, without calling the server', async () => {
    const d = deps({ ...configured, token: null }, {});
    expect(await handleBackgroundRequest({ type: 'inventory.bySkus', skus: ['A'] }, d)).toMatchObject({ ok: false, problem: 'not-configured' });
    expect(d.createApi).not.toHaveBeenCalled();
  });

  it('maps a network failure to "unreachable" and UNAUTHORIZED to "unauthorized"', async () => {
    const down = deps(configured, { bySkus: vi.fn(async () => Promise.reject(networkDown())) });
    expect(await handleBackgroundRequest({ type: 'inventory.bySkus', skus: ['A'] }, down)).toMatchObject({ ok: false, problem: 'unreachable' });
    const denied = deps(configured, { bySkus: vi.fn(async () => Promise.reject(unauthorized())) });
    expect(await handleBackgroundRequest({ type: 'inventory.bySkus', skus: ['A'] }, denied)).toMatchObject({ ok: false, problem: 'unauthorized' });
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
