import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { limits } from '@onhand/shared';
import type { AppRouter } from '../src/trpc/router';
import type { TestDatabase } from '../src/testing';
import { apiAs, databaseKinds } from './support/harness';
import { errorOf, postCall, startTestServer, type HttpAnswer, type TestServer } from './support/fuzz-server';

/**
 * Overload is refused at once, with a reason and a time to come back, and
 * never leaves anything half-written. The limits are set low and refill
 * slowly (one call per 10 minutes), so every count below is exact: no
 * assertion depends on how fast this machine is.
 */
const tokenBurst = 20;
const tenantBurst = 30;
const slowRefillPerSecond = 1 / 600;

const client = (url: string, token: string) => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${token}` } })] });

const adjustBody = (sourceId: string, sku: string, key: string) => JSON.stringify({ sku, sourceId, delta: 1, reason: 'received', idempotencyKey: key });

function expectRateLimited(answer: HttpAnswer, who: 'token' | 'tenant') {
  expect(answer.status).toBe(429);
  const retryAfter = answer.headers.get('retry-after');
  expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
  const error = errorOf(answer)!;
  expect(error.data.code).toBe('TOO_MANY_REQUESTS');
  expect(error.data.retryAfterSeconds).toBe(Number(retryAfter));
  expect(error.message).toContain(who === 'token' ? 'rate limit: this token sent more than' : "rate limit: this tenant's tokens together sent more than");
  expect(error.message).toContain(`retry after ${retryAfter} s`);
}

describe.each(databaseKinds)('overload on %s', (kind) => {
  let running: TestServer;
  let url: string;
  let admin: ReturnType<typeof client>;
  const tenantA = { tenantId: '', flooder: '', second: '', mf: '' };
  const tenantB = { tenantId: '', token: '', mf: '' };

  beforeAll(async () => {
    running = await startTestServer(kind, {
      requestLimits: { tokenCallsPerSecond: slowRefillPerSecond, tokenBurst, tenantCallsPerSecond: slowRefillPerSecond, tenantBurst },
    });
    url = running.server.url;
    admin = client(url, running.adminToken);
    // Set up in-process (the same procedures, no HTTP, so no rate limit): every bucket starts full.
    const setupAdmin = inProcess(running.adminToken);
    tenantA.tenantId = (await setupAdmin.admin.tenants.create({ name: 'Flooder' })).tenantId;
    tenantA.flooder = (await setupAdmin.admin.tokens.issue({ tenantId: tenantA.tenantId, role: 'seller', label: 'runaway script' })).token;
    tenantA.second = (await setupAdmin.admin.tokens.issue({ tenantId: tenantA.tenantId, role: 'seller', label: 'laptop' })).token;
    tenantB.tenantId = (await setupAdmin.admin.tenants.create({ name: 'Neighbour' })).tenantId;
    tenantB.token = (await setupAdmin.admin.tokens.issue({ tenantId: tenantB.tenantId, role: 'seller', label: 'extension' })).token;
    tenantA.mf = await sourceWithProducts(inProcess(tenantA.flooder), ['FLOOD-1', 'FLOOD-2']);
    tenantB.mf = await sourceWithProducts(inProcess(tenantB.token), ['CALM-1']);
  });
  afterAll(async () => running?.close());

  const inProcess = (token: string) => apiAs({ db: running.server.db } as TestDatabase, token);
  async function sourceWithProducts(seller: ReturnType<typeof inProcess>, skus: string[]): Promise<string> {
    const { sourceId } = await seller.sources.create({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'mf' });
    for (const sku of skus) await seller.products.upsert({ sku, title: sku, idempotencyKey: `p-${sku}` });
    return sourceId;
  }

  it('refuses a flood from one token with 429 and Retry-After, while another tenant and /healthz are served; nothing half-written', async () => {
    const floodSize = 60;
    const flood = Array.from({ length: floodSize }, (_, i) => postCall(url, 'inventory.adjust', adjustBody(tenantA.mf, 'FLOOD-1', `flood-${i}`), tenantA.flooder));
    const health = Array.from({ length: 5 }, () => fetch(`${url}/healthz`).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown })));
    const neighbour = postCall(url, 'inventory.adjust', adjustBody(tenantB.mf, 'CALM-1', 'calm-1'), tenantB.token);
    const [floodAnswers, healthAnswers, neighbourAnswer] = await Promise.all([Promise.all(flood), Promise.all(health), neighbour]);

    const served = floodAnswers.filter((a) => a.status === 200);
    const refused = floodAnswers.filter((a) => a.status !== 200);
    // The token's burst is served, every other call refused.
    expect(served).toHaveLength(tokenBurst);
    expect(refused).toHaveLength(floodSize - tokenBurst);
    for (const answer of refused) expectRateLimited(answer, 'token');
    expect(healthAnswers).toEqual(Array.from({ length: 5 }, () => ({ status: 200, body: { ok: true } })));
    expect(neighbourAnswer.status).toBe(200);

    // Exactly the served adjustments are in the ledger and the balance, no more, no fewer.
    const stateReader = inProcess(tenantA.second);
    const history = await stateReader.inventory.history({ sku: 'FLOOD-1', limit: limits.historyPageMax });
    expect(history.entries).toHaveLength(tokenBurst);
    const { items } = await stateReader.inventory.bySkus({ skus: ['FLOOD-1'] });
    expect(items[0]?.sources.find((s) => s.sourceId === tenantA.mf)?.onHand).toBe(tokenBurst);
    const reconciled = await admin.admin.reconcile.mutate({});
    expect(reconciled.mismatches).toEqual([]);
    expect(reconciled.checked).toBeGreaterThan(0);
  });

  it("limits a tenant across its tokens: a second token gets only what is left of the tenant's burst", async () => {
    // Tenant A has spent its flooder token's burst; its second token is fresh.
    const leftForTenant = tenantBurst - tokenBurst;
    const attempts = 15;
    const answers = await Promise.all(
      Array.from({ length: attempts }, (_, i) => postCall(url, 'inventory.adjust', adjustBody(tenantA.mf, 'FLOOD-2', `second-${i}`), tenantA.second)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(leftForTenant);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(attempts - leftForTenant);
    for (const answer of refused) expectRateLimited(answer, 'tenant');
    // The other tenant is untouched by A's limit.
    expect((await postCall(url, 'sources.list', undefined, tenantB.token)).status).toBe(200);
    const history = await inProcess(tenantA.second).inventory.history({ sku: 'FLOOD-2', limit: limits.historyPageMax });
    expect(history.entries).toHaveLength(leftForTenant);
    expect((await admin.admin.reconcile.mutate({})).mismatches).toEqual([]);
  });

  it('refuses an oversized body and an oversized batch at once, naming what is too large, without charging or writing anything', async () => {
    const before = await inProcess(tenantB.token).inventory.history({ sku: 'CALM-1' });

    const rows = Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`.padEnd(3000, 'x'), channelSku: 'S' }));
    const tooLarge = await postCall(url, 'listings.lookup', JSON.stringify({ marketplace: 'amazon', rows }), tenantB.token);
    expect(tooLarge.status).toBe(413);
    expect(errorOf(tooLarge)).toMatchObject({
      message: 'request body: larger than 1000000 bytes; send fewer rows per request',
      data: { code: 'PAYLOAD_TOO_LARGE', fields: [{ path: '(body)' }] },
    });

    const callsInBatch = 201;
    const paths = Array.from({ length: callsInBatch }, () => 'inventory.adjust').join(',');
    const inputs = Object.fromEntries(Array.from({ length: callsInBatch }, (_, i) => [i, JSON.parse(adjustBody(tenantB.mf, 'CALM-1', `batch-${i}`)) as unknown]));
    const batch = await postCall(url, `${paths}?batch=1`, JSON.stringify(inputs), tenantB.token);
    expect(batch.status).toBe(400);
    const batchErrors = batch.body as { error: NonNullable<ReturnType<typeof errorOf>> }[];
    expect(batchErrors).toHaveLength(callsInBatch);
    for (const { error } of batchErrors) {
      expect(error.message).toBe('batch: 201 calls in one request; at most 200 (send the rest in another request)');
      expect(error.data).toMatchObject({ code: 'BAD_REQUEST', fields: [{ path: 'batch' }] });
    }

    // The per-call array limits name their field too.
    const skus = Array.from({ length: limits.batchMax + 1 }, (_, i) => `SKU-${i}`);
    const tooManySkus = errorOf(await postCall(url, 'inventory.bySkus', JSON.stringify({ skus }), tenantB.token));
    expect(tooManySkus?.data).toMatchObject({ code: 'BAD_REQUEST', fields: [{ path: 'skus', message: `must name at most ${limits.batchMax} SKUs` }] });

    const after = await inProcess(tenantB.token).inventory.history({ sku: 'CALM-1' });
    expect(after.entries).toEqual(before.entries);
    // The refused batch was not charged to the token: it still has calls left.
    expect((await postCall(url, 'sources.list', undefined, tenantB.token)).status).toBe(200);
  });
});

// Only PostgreSQL has a connection pool to exhaust (embedded PGlite runs one query at a time, in process).
describe.each(databaseKinds.filter((kind) => kind === 'postgres'))('pool exhaustion on %s', (kind) => {
  it('a call that finds no free database connection is told TOO_MANY_REQUESTS with Retry-After, then served once one is free', async () => {
    const running = await startTestServer(kind, { databasePoolSize: 1 });
    try {
      const setupAdmin = apiAs({ db: running.server.db } as TestDatabase, running.adminToken);
      const { tenantId } = await setupAdmin.admin.tenants.create({ name: 'Busy' });
      const { token } = await setupAdmin.admin.tokens.issue({ tenantId, role: 'seller', label: 'busy' });
      // Hold the pool's only connection while a request needs one: it waits
      // for the pool's connection timeout, then is refused as busy.
      const whileExhausted = await running.server.db.connection().execute(() => postCall(running.server.url, 'sources.list', undefined, token));
      expect(whileExhausted.status).toBe(429);
      expect(whileExhausted.headers.get('retry-after')).toBe('1');
      expect(errorOf(whileExhausted)).toMatchObject({ message: 'the server is busy; retry later', data: { code: 'TOO_MANY_REQUESTS', retryAfterSeconds: 1 } });
      expect((await postCall(running.server.url, 'sources.list', undefined, token)).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
