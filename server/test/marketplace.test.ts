import { afterEach, describe, expect, it } from 'vitest';
import type { PushRequest, PushResult } from '../src/marketplace/connector';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../src/marketplace/simulator';
import { createSimulatorConnector, retryAfterMs, toResult } from '../src/marketplace/simulator-connector';

// The simulator and its connector together: every PushResult kind comes from
// a real HTTP answer of the simulator, not from a mocked fetch.

const token = 'tok_seller_one_0123456789';
const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function admin(sim: RunningSimulator, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${sim.url}/admin/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function setup(options: SimulatorOptions & { timeoutMs?: number } = {}) {
  const sim = await startSimulator(options);
  running.push(sim);
  expect((await admin(sim, 'accounts', { account: 'seller-1', token })).status).toBe(201);
  const connector = createSimulatorConnector({ marketplace: 'ebay', baseUrl: sim.url, token, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  return { sim, connector };
}

let pushes = 0;
function request(overrides: Partial<PushRequest> = {}): PushRequest {
  return { channelId: 'ch1', region: 'US', listingId: 'l1', channelSku: 'SKU-1', externalId: null, quantity: 5, expectedQuantity: null, pushId: `push-${++pushes}`, ...overrides };
}

const quantityOf = (sim: RunningSimulator, key: string) => sim.state().listings.find((l) => l.key === key)?.quantity;

describe('marketplace simulator with its connector', () => {
  it('creates an unknown listing on the first push and reads it back', async () => {
    const { sim, connector } = await setup();
    expect(await connector.push(request({ channelSku: 'A/B 1', quantity: 7 }))).toEqual({ ok: true, quantity: 7 });
    const read = await fetch(`${sim.url}/v1/listings/${encodeURIComponent('A/B 1')}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await read.json()).toEqual({ key: 'A/B 1', quantity: 7, version: 1 });
    // Without a seller SKU the marketplace's own id is the key.
    expect(await connector.push(request({ channelSku: null, externalId: '1234567890', quantity: 2 }))).toEqual({ ok: true, quantity: 2 });
    expect(quantityOf(sim, '1234567890')).toBe(2);
  });

  it('requires a known bearer token', async () => {
    const { sim } = await setup();
    const stranger = createSimulatorConnector({ marketplace: 'ebay', baseUrl: sim.url, token: 'tok_nobody_0000000000000' });
    const result = await stranger.push(request());
    expect(result).toMatchObject({ ok: false, kind: 'rejected' });
    expect((result as { message: string }).message).toContain('HTTP 401');
    expect((await fetch(`${sim.url}/v1/listings/SKU-1`)).status).toBe(401);
    expect(sim.state().writes).toEqual([]);
  });

  it('answers a stale expectedQuantity with a conflict and changes nothing', async () => {
    const { sim, connector } = await setup();
    await admin(sim, 'listings', { account: 'seller-1', key: 'SKU-1', quantity: 10 });
    expect(await connector.push(request({ quantity: 15, expectedQuantity: 8 }))).toMatchObject({ ok: false, kind: 'conflict', currentQuantity: 10 });
    expect(quantityOf(sim, 'SKU-1')).toBe(10);
    expect(await connector.push(request({ quantity: 15, expectedQuantity: 10 }))).toEqual({ ok: true, quantity: 15 });
    // An unknown listing holds nothing: expecting 3 there conflicts with 0.
    expect(await connector.push(request({ channelSku: 'NEW', quantity: 1, expectedQuantity: 3 }))).toMatchObject({ kind: 'conflict', currentQuantity: 0 });
  });

  it('applies a replayed push once and answers it as the first time', async () => {
    const { sim, connector } = await setup();
    const first = request({ quantity: 5, pushId: 'listing-1:v3' });
    expect(await connector.push(first)).toEqual({ ok: true, quantity: 5 });
    // A sale lands between the attempts; the replay must not overwrite it.
    await admin(sim, 'orders', { account: 'seller-1', externalOrderId: 'o-1', lines: [{ key: 'SKU-1', quantity: 2 }], shipToCountry: 'US' });
    expect(await connector.push(first)).toEqual({ ok: true, quantity: 5 });
    expect(quantityOf(sim, 'SKU-1')).toBe(3);
    expect(sim.state().writes.map((w) => w.idempotencyKey)).toEqual(['listing-1:v3']);
    expect(sim.state().counters.replays).toBe(1);
    // The same id for a different request is a caller bug, refused.
    expect(await connector.push({ ...first, quantity: 6 })).toMatchObject({ ok: false, kind: 'rejected', message: expect.stringContaining('HTTP 422') });
  });

  it('lets a push retried after a conflict succeed under the same id', async () => {
    const { sim, connector } = await setup();
    await admin(sim, 'listings', { account: 'seller-1', key: 'SKU-1', quantity: 4 });
    const attempt = request({ quantity: 9, expectedQuantity: 5, pushId: 'listing-1:v7' });
    expect(await connector.push(attempt)).toMatchObject({ kind: 'conflict', currentQuantity: 4 });
    expect(await connector.push({ ...attempt, expectedQuantity: 4 })).toEqual({ ok: true, quantity: 9 });
  });

  it('reports a write whose answer was lost as transient, and the retry replays it', async () => {
    const { sim, connector } = await setup({ config: { lostResponseRate: 1 } });
    const push = request({ quantity: 12 });
    expect(await connector.push(push)).toMatchObject({ ok: false, kind: 'transient', message: expect.stringContaining('HTTP 503') });
    expect(quantityOf(sim, 'SKU-1')).toBe(12);
    await admin(sim, 'config', { lostResponseRate: 0 });
    expect(await connector.push(push)).toEqual({ ok: true, quantity: 12 });
    expect(sim.state().writes).toHaveLength(1);
  });

  it('rate limits per account with Retry-After and Retry-After-Ms', async () => {
    let clock = 1_000_000;
    const { sim, connector } = await setup({ now: () => clock, config: { rateLimitPerSecond: 2 } });
    expect(await connector.push(request())).toMatchObject({ ok: true });
    expect(await connector.push(request())).toMatchObject({ ok: true });
    expect(await connector.push(request())).toEqual({ ok: false, kind: 'rate_limited', retryAfterMs: 500, message: 'HTTP 429: rate limit exceeded' });
    const raw = await fetch(`${sim.url}/v1/listings/SKU-1`, { headers: { Authorization: `Bearer ${token}` } });
    expect([raw.status, raw.headers.get('retry-after'), raw.headers.get('retry-after-ms')]).toEqual([429, '1', '500']);
    clock += 500;
    expect(await connector.push(request())).toMatchObject({ ok: true });
    expect(sim.state().counters.rateLimited).toBe(2);
  });

  it('fails the configured share of requests, the same ones for the same seed', async () => {
    const { sim, connector } = await setup({ config: { transientFailureRate: 0.3, seed: 42 } });
    const run = async () => {
      const kinds: string[] = [];
      for (let i = 0; i < 60; i++) {
        const result: PushResult = await connector.push(request({ quantity: i }));
        kinds.push(result.ok ? 'ok' : result.kind);
      }
      return kinds;
    };
    const first = await run();
    const failures = first.filter((k) => k === 'transient').length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(30);
    expect(first.every((k) => k === 'ok' || k === 'transient')).toBe(true);
    await admin(sim, 'config', { seed: 42 });
    expect(await run()).toEqual(first);
    await admin(sim, 'config', { seed: 7 });
    expect(await run()).not.toEqual(first);
    expect(sim.state().counters.transientFailures).toBeGreaterThanOrEqual(failures * 2);
  });

  it('turns timeouts, refused connections and the caller abort into transient', async () => {
    const { sim } = await setup({ config: { latencyMs: 400 } });
    const slow = createSimulatorConnector({ marketplace: 'ebay', baseUrl: sim.url, token, timeoutMs: 100 });
    expect(await slow.push(request())).toMatchObject({ ok: false, kind: 'transient', message: 'no answer within 100 ms' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await slow.push(request(), controller.signal)).toMatchObject({ kind: 'transient', message: 'push aborted by caller' });

    const gone = await startSimulator();
    await gone.close();
    const nowhere = createSimulatorConnector({ marketplace: 'ebay', baseUrl: gone.url, token });
    expect(await nowhere.push(request())).toMatchObject({ ok: false, kind: 'transient', message: expect.stringContaining('network error') });
  });

  it('rejects what a retry cannot fix', async () => {
    const { connector } = await setup({ config: { strict: true } });
    expect(await connector.push(request({ channelSku: 'UNKNOWN' }))).toMatchObject({ ok: false, kind: 'rejected', message: expect.stringContaining('HTTP 404') });
    expect(await connector.push(request({ channelSku: null, externalId: null }))).toMatchObject({ ok: false, kind: 'rejected' });
    expect(await connector.push(request({ quantity: -1 }))).toMatchObject({ ok: false, kind: 'rejected', message: expect.stringContaining('HTTP 400') });
  });
});

describe('mapping HTTP answers to push results', () => {
  const headers = (entries: Record<string, string> = {}) => new Headers(entries);

  it.each([
    [200, { quantity: 3 }, { ok: true, quantity: 3 }],
    [200, {}, { ok: false, kind: 'transient' }],
    [409, { currentQuantity: 2 }, { ok: false, kind: 'conflict', currentQuantity: 2 }],
    [409, {}, { ok: false, kind: 'transient' }],
    [408, {}, { ok: false, kind: 'transient' }],
    [500, 'oops', { ok: false, kind: 'transient', message: 'HTTP 500: oops' }],
    [503, {}, { ok: false, kind: 'transient' }],
    [400, { error: 'bad' }, { ok: false, kind: 'rejected', message: 'HTTP 400: bad' }],
    [403, undefined, { ok: false, kind: 'rejected', message: 'HTTP 403' }],
  ])('%i %j', (status, body, expected) => {
    expect(toResult({ status, headers: headers() }, body)).toMatchObject(expected);
  });

  it('reads the wait from Retry-After-Ms, Retry-After seconds or date, else one second', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'Retry-After-Ms': '250', 'Retry-After': '1' }), now)).toBe(250);
    expect(retryAfterMs(headers({ 'Retry-After': '2' }), now)).toBe(2000);
    expect(retryAfterMs(headers({ 'Retry-After': '0.5' }), now)).toBe(500);
    expect(retryAfterMs(headers({ 'Retry-After': 'Tue, 01 Jan 2030 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'Retry-After': 'soon' }), now)).toBe(1000);
    expect(retryAfterMs(headers(), now)).toBe(1000);
    expect(toResult({ status: 429, headers: headers({ 'Retry-After': '3' }) }, {})).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
  });
});
