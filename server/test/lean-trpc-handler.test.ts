import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { DatabaseKind } from '../src/db/connect';
import { startServer, type RunningServer, type StartServerOptions } from '../src/http/server';
import { createPostgresDatabase, readPgliteTemplate } from '../src/testing';
import { databaseKinds } from './support/harness';
import { sendWire, type Framing, type Wire } from './support/wire';

/**
 * The lean tRPC handler (http/lean-trpc-handler.ts) answers exactly as tRPC's
 * standalone handler does: the same requests, sent byte for byte with
 * node:http to a server of each kind, get the same status, headers and body.
 */

// Both servers know the same admin token (`onh_a_` and 43 base64url characters) and the same limits.
const adminToken = 'onh_a_LeanAndStandaloneAnswerTheSame-0123456789ab';
// Rate limits: a token may send 100 calls at once and then 1 per second; the
// clock is held still for the rows that spend a burst (see below).
const tokenBurst = 100;
const requestLimits = { tokenCallsPerSecond: 1, tokenBurst, tenantCallsPerSecond: 1000, tenantBurst: 2000, maxBatchCalls: 200 };

interface Started {
  server: RunningServer;
  close(): Promise<void>;
}

let template: Promise<Blob> | undefined;
/** A server on a database of its own: PGlite cloned from the migrated template, or a fresh PostgreSQL database. */
async function startOne(kind: DatabaseKind, trpcHandler: 'lean' | 'standalone'): Promise<Started> {
  const options: StartServerOptions = { logLevel: 'silent', adminToken, requestLimits, trpcHandler };
  if (kind === 'pglite') {
    template ??= readPgliteTemplate(inject('pgliteTemplateFile'));
    const server = await startServer({ ...options, pgliteTemplate: await template });
    return { server, close: () => server.close() };
  }
  const created = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  const server = await startServer({ ...options, databaseUrl: created.databaseUrl });
  return { server, close: async () => (await server.close(), await created.drop()) };
}

interface Seen {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const comparedHeaders = ['content-type', 'vary', 'allow', 'retry-after'] as const;

/** The answer to `wire`; its framing (tRPC's handler streams a body, the lean handler writes it whole) is not compared. */
async function send(server: RunningServer, wire: Wire): Promise<Seen & { framing: Framing }> {
  const answer = await sendWire(server.port, wire);
  let body: unknown = answer.text;
  try {
    body = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {
    // Not JSON (an event stream): compared as text.
  }
  return { status: answer.status, headers: Object.fromEntries(comparedHeaders.map((name) => [name, answer.headers[name]])), body, framing: answer.framing };
}

/** The same setup on each server, through the API; what differs between them is named here. */
interface World {
  server: RunningServer;
  tenantId: string;
  seller: string;
  flooder: string;
  sourceId: string;
  /** Ids first seen in an answer (a created source), by the placeholder they are replaced with. */
  learned: Map<string, string>;
}

async function call(server: RunningServer, token: string, path: string, input: unknown): Promise<{ [key in 'tenantId' | 'token' | 'sourceId']: string }> {
  const seen = await send(server, { method: 'POST', path: `/trpc/${path}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(input), token });
  if (seen.status !== 200) throw new Error(`${path}: ${seen.status} ${JSON.stringify(seen.body)}`);
  return (seen.body as { result: { data: { [key in 'tenantId' | 'token' | 'sourceId']: string } } }).result.data;
}

async function setUp(server: RunningServer): Promise<World> {
  const { tenantId } = await call(server, adminToken, 'admin.tenants.create', { name: 'Conformance' });
  const { token: seller } = await call(server, adminToken, 'admin.tokens.issue', { tenantId, role: 'seller', label: 'seller' });
  const { token: flooder } = await call(server, adminToken, 'admin.tokens.issue', { tenantId, role: 'seller', label: 'flooder' });
  const { sourceId } = await call(server, seller, 'sources.create', { name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'src-mf' });
  await call(server, seller, 'products.upsert', { sku: 'SKU-1', title: 'Widget', idempotencyKey: 'p-1' });
  return { server, tenantId, seller, flooder, sourceId, learned: new Map() };
}

/**
 * What legitimately differs between the two servers, replaced by a
 * placeholder: the ids made at random (the tenant's, the sources') and the
 * times ledger entries were written (`at`). Nothing else is touched.
 */
function normalised(value: unknown, world: World, key?: string): unknown {
  if (typeof value === 'string') {
    if (key === 'at' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) return '<time>';
    const known: [string, string][] = [[world.tenantId, '<tenant>'], [world.sourceId, '<source>'], ...world.learned];
    return known.reduce((text, [id, placeholder]) => text.split(id).join(placeholder), value);
  }
  if (Array.isArray(value)) return value.map((item) => normalised(item, world));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v, world, k)]));
  return value;
}

const json = { 'content-type': 'application/json' };
const post = (path: string, input: unknown, token?: string): Wire => ({ method: 'POST', path: `/trpc/${path}`, headers: json, body: JSON.stringify(input), ...(token ? { token } : {}) });
const get = (path: string, token?: string): Wire => ({ method: 'GET', path: `/trpc/${path}`, ...(token ? { token } : {}) });
const q = (input: unknown) => encodeURIComponent(JSON.stringify(input));

interface Row {
  name: string;
  wire: (w: World) => Wire;
  /** The status both answer with: the row asks what its name says. */
  status: number;
  /** Ids this answer creates, learned per server under a placeholder. */
  learn?: (body: unknown) => Record<string, string>;
}

const count = (w: World, onHand: number, idempotencyKey = 'count-1') => ({ sku: 'SKU-1', sourceId: w.sourceId, onHand, idempotencyKey });
const bigBody = (w: World) => JSON.stringify({ ...count(w, 1), note: 'x'.repeat(1_000_001) });
const withBody = (wire: Wire, body: string, more: Partial<Wire> = {}): Wire => ({ ...wire, body, ...more });

// In order: later rows see what earlier ones wrote. The seller token sends
// fewer calls than its burst (rate limits below).
const rows: Row[] = [
  { name: 'a mutation with content-length: its answer', status: 200, wire: (w) => post('inventory.setQuantity', count(w, 7), w.seller) },
  { name: 'the same mutation again (same idempotencyKey): the same answer', status: 200, wire: (w) => post('inventory.setQuantity', count(w, 7), w.seller) },
  { name: 'the same idempotencyKey with another payload: CONFLICT', status: 409, wire: (w) => post('inventory.setQuantity', count(w, 8), w.seller) },
  {
    name: 'a mutation that creates a row: its new id',
    status: 200,
    wire: (w) => post('sources.create', { name: 'FBA', kind: 'fba', autoFulfill: true, shipsTo: ['US'], idempotencyKey: 'src-fba' }, w.seller),
    learn: (body) => ({ [(body as { result: { data: { sourceId: string } } }).result.data.sourceId]: '<new source>' }),
  },
  { name: 'a mutation sent chunked (no content-length): its answer', status: 200, wire: (w) => ({ ...post('inventory.setQuantity', count(w, 9, 'count-2'), w.seller), chunked: true }) },
  { name: 'a query as POST (method override)', status: 200, wire: (w) => post('inventory.bySkus', { skus: ['SKU-1', 'NOPE'] }, w.seller) },
  { name: 'a query as GET with ?input=', status: 200, wire: (w) => get(`inventory.bySkus?input=${q({ skus: ['SKU-1'] })}`, w.seller) },
  { name: 'a query as GET without input (it takes none)', status: 200, wire: (w) => get('account.get', w.seller) },
  { name: 'a query as POST with an empty body (it takes none)', status: 200, wire: (w) => withBody(post('sources.list', {}, w.seller), '') },
  { name: 'a batch of two queries as POST', status: 200, wire: (w) => post('account.get,inventory.bySkus?batch=1', { 1: { skus: ['SKU-1'] } }, w.seller) },
  { name: 'a batch of two queries as GET', status: 200, wire: (w) => get(`sources.list,inventory.bySkus?batch=1&input=${q({ 1: { skus: ['SKU-1'] } })}`, w.seller) },
  { name: 'a batch of a success and an error: 207', status: 207, wire: (w) => post('account.get,inventory.bySkus?batch=1', { 1: { skus: 'SKU-1' } }, w.seller) },
  { name: 'a field that fails validation: BAD_REQUEST naming it', status: 400, wire: (w) => post('inventory.setQuantity', count(w, -1), w.seller) },
  { name: 'an unknown key: BAD_REQUEST naming it', status: 400, wire: (w) => post('inventory.setQuantity', { ...count(w, 1), colour: 'red' }, w.seller) },
  { name: 'no token: UNAUTHORIZED', status: 401, wire: () => post('sources.list', {}) },
  { name: 'a token that is not valid: UNAUTHORIZED', status: 401, wire: () => post('sources.list', {}, 'onh_s_nope') },
  { name: 'a seller token on an admin procedure: FORBIDDEN', status: 403, wire: (w) => post('admin.tenants.create', { name: 'Nope' }, w.seller) },
  { name: 'an unknown procedure: NOT_FOUND', status: 404, wire: (w) => post('inventory.nope', {}, w.seller) },
  { name: 'a mutation as GET: METHOD_NOT_SUPPORTED, allow: POST', status: 405, wire: (w) => get(`inventory.setQuantity?input=${q(count(w, 1))}`, w.seller) },
  { name: 'a subscription as POST: its event stream', status: 200, wire: (w) => ({ ...post('changes.subscribe', {}, w.seller), firstEvent: true }) },
  { name: 'a subscription as POST without a token: its error event', status: 200, wire: () => post('changes.subscribe', {}) },
  { name: 'a body that is not JSON: BAD_REQUEST naming the body', status: 400, wire: (w) => withBody(post('inventory.setQuantity', {}, w.seller), '{"sku": ') },
  { name: 'a body starting with a byte order mark: its answer', status: 200, wire: (w) => withBody(post('sources.list', {}, w.seller), '\uFEFF{}') },
  { name: 'a batch whose body is a JSON array: BAD_REQUEST', status: 400, wire: (w) => post('sources.list?batch=1', [{}], w.seller) },
  { name: 'a batch whose body is a JSON string: BAD_REQUEST', status: 400, wire: (w) => post('sources.list?batch=1', 'input', w.seller) },
  { name: 'a batch mixing a query and a mutation: BAD_REQUEST, nothing written', status: 400, wire: (w) => post('sources.list,products.upsert?batch=1', { 1: { sku: 'SKU-2', title: 'T', idempotencyKey: 'p-2' } }, w.seller) },
  { name: 'a mutation with an empty body: BAD_REQUEST', status: 400, wire: (w) => withBody(post('inventory.setQuantity', {}, w.seller), '') },
  { name: 'a body over 1,000,000 bytes with content-length: PAYLOAD_TOO_LARGE', status: 413, wire: (w) => withBody(post('inventory.setQuantity', {}, w.seller), bigBody(w)) },
  { name: 'a body over 1,000,000 bytes chunked: PAYLOAD_TOO_LARGE', status: 413, wire: (w) => withBody(post('inventory.setQuantity', {}, w.seller), bigBody(w), { chunked: true }) },
  { name: 'content-type text/plain: UNSUPPORTED_MEDIA_TYPE', status: 415, wire: (w) => ({ ...post('sources.list', {}, w.seller), headers: { 'content-type': 'text/plain' } }) },
  { name: 'a GET naming multipart/form-data: METHOD_NOT_SUPPORTED', status: 405, wire: (w) => ({ ...get('sources.list?input=%7B%7D', w.seller), headers: { 'content-type': 'multipart/form-data; boundary=x' } }) },
  { name: 'a GET naming application/octet-stream: METHOD_NOT_SUPPORTED', status: 405, wire: (w) => ({ ...get('sources.list?input=%7B%7D', w.seller), headers: { 'content-type': 'application/octet-stream' } }) },
  { name: 'Accept: application/jsonl on a single call: BAD_REQUEST (streams are batches)', status: 400, wire: (w) => ({ ...post('sources.list', {}, w.seller), headers: { ...json, accept: 'application/jsonl' } }) },
  { name: 'Accept: application/jsonl on a batch: a JSON-lines stream', status: 200, wire: (w) => ({ ...post('account.get?batch=1', {}, w.seller), headers: { ...json, accept: 'application/jsonl' } }) },
  { name: 'the token in connectionParams (no Authorization): answered for it', status: 200, wire: (w) => get(`account.get?input=%7B%7D&connectionParams=${q({ token: w.seller })}`) },
  { name: 'connectionParams that are not JSON: PARSE_ERROR', status: 400, wire: (w) => get('account.get?input=%7B%7D&connectionParams=nope', w.seller) },
  { name: 'a Host header that is not a host: BAD_REQUEST', status: 400, wire: (w) => ({ ...post('sources.list', {}, w.seller), headers: { ...json, host: 'exa mple' } }) },
  { name: 'batch=1 before a #fragment: a batch', status: 200, wire: (w) => get('sources.list?input=%7B%7D&batch=1#fragment', w.seller) },
  { name: 'a path with a trailing slash', status: 200, wire: (w) => get('sources.list/?input=%7B%7D', w.seller) },
  { name: 'a path with a dot segment', status: 200, wire: (w) => get('nope/../sources.list?input=%7B%7D', w.seller) },
  { name: 'HEAD: 204, no body', status: 204, wire: (w) => ({ method: 'HEAD', path: '/trpc/sources.list', token: w.seller }) },
];

// A token's burst spent, then one call more: with the clock held still (the
// token buckets read performance.now()), Retry-After does not depend on how
// fast this machine is. Last: the clock goes back when it is let go.
const rateRows: Row[] = [
  { name: 'a batch that spends its token’s whole burst: answered', status: 200, wire: (w) => get(`${Array.from({ length: tokenBurst }, () => 'account.get').join(',')}?batch=1&input=%7B%7D`, w.flooder) },
  { name: 'a call past the burst: TOO_MANY_REQUESTS with retry-after', status: 429, wire: (w) => post('sources.list', {}, w.flooder) },
];

describe.each(databaseKinds)('the lean tRPC handler answers as tRPC’s standalone handler does, on %s', (kind) => {
  let lean: Started;
  let standalone: Started;
  let worlds: [World, World];
  beforeAll(async () => {
    lean = await startOne(kind, 'lean');
    standalone = await startOne(kind, 'standalone');
    worlds = [await setUp(lean.server), await setUp(standalone.server)];
  });
  afterAll(async () => {
    await lean?.close();
    await standalone?.close();
  });

  async function expectSameAnswer(row: Row) {
    const seen: Seen[] = [];
    for (const world of worlds) {
      const { framing: _, ...answer } = await send(world.server, row.wire(world));
      if (row.learn && answer.status === 200) for (const [id, placeholder] of Object.entries(row.learn(answer.body))) world.learned.set(id, placeholder);
      seen.push({ ...answer, body: normalised(answer.body, world) });
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]!.status).toBe(row.status);
  }

  it.each(rows)('$name', expectSameAnswer);

  it('the lean server answers plain calls itself: written whole, where tRPC’s handler streams them', async () => {
    const plain = (w: World) => [post('inventory.setQuantity', count(w, 3, 'count-3'), w.seller), get(`inventory.bySkus?input=${q({ skus: ['SKU-1'] })}`, w.seller)];
    const [leanWorld, standaloneWorld] = worlds;
    for (const wire of plain(leanWorld)) expect(await send(leanWorld.server, wire)).toMatchObject({ status: 200, framing: 'content-length' });
    for (const wire of plain(standaloneWorld)) expect(await send(standaloneWorld.server, wire)).toMatchObject({ status: 200, framing: 'chunked' });
    // What the lean handler leaves to tRPC's is streamed on the lean server too.
    expect(await send(leanWorld.server, get('account.get', leanWorld.seller))).toMatchObject({ status: 200, framing: 'chunked' });
  });

  describe('over the rate limit', () => {
    beforeAll(() => {
      const now = performance.now();
      vi.useFakeTimers({ toFake: ['performance'] });
      // Held still, and never before a time the buckets have seen.
      vi.advanceTimersByTime(now + 1000);
    });
    afterAll(() => {
      vi.useRealTimers();
    });
    it.each(rateRows)('$name', expectSameAnswer);
  });
});
