import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTRPCClient, httpLink } from '@trpc/client';
import { startServer, type RunningServer } from '../src/http/server';
import { createPostgresDatabase } from '../src/testing';
import { runCli } from '../src/cli/main';
import { apiClient } from '../src/cli/client';
import { writeInventory, type ImportReport } from '../src/cli/import-write';
import { makeOutput } from '../src/cli/output';
import type { AppRouter } from '../src/trpc/router';

const adminToken = 'onh_a_cli-test-admin-token-0123456789abcdef';
const rows = 10_000;
const badLines = new Map([
  [18, 'quantity "lots"'],
  [4_000, 'quantity "-3"'],
  [9_999, 'SKU must not be empty'],
]);

/** Runs the CLI in-process against the server, as a script would: stdout, stderr, exit code. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads the CLI's --json output loosely
async function cli(server: RunningServer, token: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runCli(['--server', server.url, '--token', token, ...args], { stdout, stderr, env: {} });
  const text = Buffer.concat(out).toString('utf8');
  return { code, stdout: text, stderr: Buffer.concat(err).toString('utf8'), json: () => JSON.parse(text) };
}

/** The first few SKUs whose quantities differ (a diff of two 10,000-entry maps would take the reporter minutes). */
function differences(actual: Map<string, number>, wanted: Map<string, number>): string[] {
  const keys = new Set([...actual.keys(), ...wanted.keys()]);
  return [...keys].filter((k) => actual.get(k) !== wanted.get(k)).slice(0, 5).map((k) => `${k}: ${actual.get(k)} != ${wanted.get(k)}`);
}

describe('onhand CLI end to end against a running server', () => {
  let server: RunningServer;
  let dropDatabase: (() => Promise<void>) | undefined;
  let dir: string;
  let tenantId: string;
  let sellerToken: string;
  let sellerTokenId: string;
  let csvPath: string;
  const expected = new Map<string, number>();

  // The test reads as the platform (row-level security: a server's own default scope reads nothing).
  /** The tenant's ledger as an admin exports it (GET /admin/ledger.jsonl), oldest first. */
  const exportedLedger = async (of = tenantId, url = server.url) => {
    const response = await fetch(`${url}/admin/ledger.jsonl?tenantId=${of}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(response.status).toBe(200);
    return (await response.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sku: string; delta: number; balanceAfter: number; note?: string });
  };
  const ledgerCount = async () => (await exportedLedger()).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onhand-cli-'));
    const base = process.env.TEST_DATABASE_URL;
    const created = base ? await createPostgresDatabase(base) : undefined;
    dropDatabase = created?.drop;
    server = await startServer({ databaseUrl: created?.databaseUrl, adminToken, logLevel: 'silent' });

    tenantId = (await cli(server, adminToken, '--json', 'tenants', 'create', 'CSV Seller')).json().tenantId;
    const issued = (await cli(server, adminToken, '--json', 'tokens', 'issue', '--tenant', tenantId, '--label', 'importer')).json();
    sellerToken = issued.token;
    sellerTokenId = issued.tokenId;
    const seller = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/trpc`, headers: { authorization: `Bearer ${sellerToken}` } })] });
    await seller.sources.create.mutate({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'mf' });

    // As a spreadsheet exports it: BOM, CRLF, quoted fields with commas and quotes, loose header names.
    const lines = ['\ufeff"Seller SKU",Title,"Qty"'];
    for (let line = 2; line <= rows + 1; line += 1) {
      const sku = `SKU-${String(line).padStart(6, '0')}`;
      const quantity = (line * 7) % 1000 + 1;
      const bad = badLines.get(line);
      if (bad?.startsWith('quantity "lots"')) lines.push(`${sku},"Mug, ""large""",lots`);
      else if (bad?.startsWith('quantity "-3"')) lines.push(`${sku},Mug,-3`);
      else if (bad) lines.push(`,Mug,${quantity}`);
      else {
        lines.push(`${sku},"Mug, no. ${line}","${quantity >= 1000 ? '1,000' : quantity}"`);
        expected.set(sku, quantity);
      }
    }
    csvPath = join(dir, 'inventory.csv');
    writeFileSync(csvPath, `${lines.join('\r\n')}\r\n`);
  });
  afterAll(async () => {
    await server?.close();
    await dropDatabase?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports 10,000 rows: bad rows reported by line and nothing written, then the good rows only, then a re-run writes nothing', async () => {
    const rejected = await cli(server, sellerToken, '--json', 'import', csvPath, '--source', 'MF');
    expect(rejected.code, rejected.stderr).toBe(3);
    const report = rejected.json();
    expect(report.bad.map((b: { line: number }) => b.line)).toEqual([...badLines.keys()]);
    expect(report.bad[0].reason).toContain('lots');
    expect(report).toMatchObject({ rows, good: rows - badLines.size, applied: false, accepted: 0 });
    expect(await ledgerCount()).toBe(0);

    const started = performance.now();
    const imported = await cli(server, sellerToken, '--json', 'import', csvPath, '--source', 'MF', '--good-rows-only');
    const seconds = (performance.now() - started) / 1000;
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ applied: true, accepted: expected.size, failed: [], entriesWritten: expected.size, productsCreated: expected.size, alreadyImported: 0 });
    expect(await ledgerCount()).toBe(expected.size);
    console.log(`import: ${expected.size} rows in ${seconds.toFixed(1)} s = ${Math.round(expected.size / seconds)} rows/s (${server.databaseKind})`);

    const rerun = await cli(server, sellerToken, '--json', 'import', csvPath, '--source', 'MF', '--good-rows-only');
    expect(rerun.code, rerun.stdout.slice(0, 2000)).toBe(0);
    expect(rerun.json()).toMatchObject({ accepted: expected.size, entriesWritten: 0, productsCreated: 0, alreadyImported: expected.size });
    expect(await ledgerCount()).toBe(expected.size);
    const human = await cli(server, sellerToken, 'import', csvPath, '--source', 'MF', '--good-rows-only');
    expect(human.stdout).toContain(`${expected.size} already imported by an earlier run`);
  }, 400_000);

  it('the ledger export round-trips what was imported, as JSON lines and as CSV', async () => {
    const jsonl = join(dir, 'ledger.jsonl');
    const started = performance.now();
    const exported = await cli(server, adminToken, '--json', 'export', 'ledger', '--tenant', tenantId, '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--output', jsonl);
    console.log(`export: ${expected.size} entries in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    expect(exported.code, exported.stderr).toBe(0);
    const entries = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sku: string; delta: number; balanceAfter: number; reason: string });
    expect(entries.length).toBe(expected.size);
    expect(differences(new Map(entries.map((e) => [e.sku, e.balanceAfter])), expected)).toEqual([]);
    expect(entries.every((e) => e.reason === 'count' && e.delta === e.balanceAfter)).toBe(true);

    const csv = await cli(server, adminToken, 'export', 'ledger', '--tenant', tenantId, '--format', 'csv');
    expect(csv.code).toBe(0);
    const records = parse(csv.stdout, { columns: true }) as { sku: string; balanceAfter: string }[];
    expect(differences(new Map(records.map((r) => [r.sku, Number(r.balanceAfter)])), expected)).toEqual([]);

    const empty = await cli(server, adminToken, 'export', 'ledger', '--tenant', tenantId, '--to', '2000-01-01T00:00:00Z');
    expect(empty.stdout).toBe('');
  });

  it('another file with the same SKUs writes only the quantities that changed, and creates new products', async () => {
    const before = await ledgerCount();
    const skus = [...expected.keys()].slice(0, 1000);
    const changed = new Set(skus.filter((_, i) => i % 100 === 7));
    const lines = ['sku,quantity,title'];
    for (const sku of skus) lines.push(`${sku},${changed.has(sku) ? expected.get(sku)! + 5 : expected.get(sku)!},`);
    lines.push('BRAND-NEW,4,A new product');
    const path = join(dir, 'recount.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const recount = await cli(server, sellerToken, '--json', 'import', path, '--source', 'MF');
    expect(recount.code, recount.stderr).toBe(0);
    expect(recount.json()).toMatchObject({ accepted: skus.length + 1, entriesWritten: changed.size + 1, productsCreated: 1, alreadyImported: 0, failed: [] });
    const added = (await exportedLedger()).slice(before);
    expect(added.map((e) => [e.sku, e.delta]).sort()).toEqual([...[...changed].map((sku) => [sku, 5]), ['BRAND-NEW', 4]].sort());
    expect(added.find((e) => e.sku === 'BRAND-NEW')?.note).toBe(`import recount.csv line ${skus.length + 2}`);
    for (const sku of changed) expected.set(sku, expected.get(sku)! + 5);
    expected.set('BRAND-NEW', 4);
  });

  it('a row the server refuses while importing is reported by its line; the rest of its call is written, once', async () => {
    const api = apiClient({ server: server.url, token: sellerToken });
    const sourceId = (await api.sources.list.query()).find((s) => s.name === 'MF')!.sourceId;
    // Rows that passed the CLI's checks, but one names a SKU that is gone meanwhile (no title to create it).
    const rows = [
      { line: 2, sku: 'LATE-A', onHand: 1, title: 'Late A', note: 'late line 2' },
      { line: 3, sku: 'VANISHED', onHand: 2, note: 'late line 3' },
      { line: 4, sku: 'LATE-B', onHand: 3, title: 'Late B', note: 'late line 4' },
    ];
    const run = async () => {
      const report: ImportReport = { file: 'late.csv', rows: 3, good: 3, bad: [], accepted: 0, failed: [], seconds: 0, applied: true };
      await writeInventory(api, makeOutput({ stdout: new PassThrough(), stderr: new PassThrough(), env: {} }, true), sourceId, 'test:late', rows, report);
      return report;
    };
    const before = await ledgerCount();
    const first = await run();
    expect(first.failed).toEqual([{ line: 3, reason: expect.stringMatching(/^sku: product VANISHED not found/) as unknown as string }]);
    expect(first).toMatchObject({ accepted: 2, entriesWritten: 2, productsCreated: 2 });
    const again = await run();
    expect(again).toMatchObject({ accepted: 2, entriesWritten: 0, alreadyImported: 2 });
    expect((await exportedLedger()).slice(before).map((e) => e.sku)).toEqual(['LATE-A', 'LATE-B']);
    expected.set('LATE-A', 1);
    expected.set('LATE-B', 3);
  });

  it('/metrics needs an admin token unless the server is started without that check', async () => {
    const metricsUrl = `${server.url}/metrics`;
    const as = (token: string) => fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
    const anonymous = await fetch(metricsUrl);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const otherSeller = (await cli(server, adminToken, '--json', 'tokens', 'issue', '--tenant', tenantId, '--label', 'metrics check')).json().token as string;
    expect((await as(otherSeller)).status).toBe(403);
    expect((await as('onh_a_forged')).status).toBe(401);
    const allowed = await as(adminToken);
    expect(allowed.status).toBe(200);
    const text = await allowed.text();
    expect(text).toMatch(/^onhand_http_requests_total \d+$/m);
    expect(text).toMatch(/^onhand_outbox_pushes\{state="pending"\} \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
    // The opt-out a server is started with (ONHAND_METRICS_PUBLIC=true; read when no option is passed).
    process.env.ONHAND_METRICS_PUBLIC = 'true';
    try {
      expect((await fetch(metricsUrl)).status).toBe(200);
    } finally {
      delete process.env.ONHAND_METRICS_PUBLIC;
    }
    expect((await fetch(metricsUrl)).status).toBe(401);
  });

  it('a revoked token is refused at once; seller tokens are refused on admin commands; usage errors exit 2', async () => {
    expect((await cli(server, sellerToken, 'tenants', 'list')).code).toBe(4);
    expect((await cli(server, sellerToken, 'export', 'ledger', '--tenant', tenantId)).code).toBe(4);
    expect((await cli(server, 'onh_s_forged', 'tokens', 'list')).code).toBe(4);
    expect((await cli(server, adminToken, 'import', csvPath)).code).toBe(2);
    expect((await cli(server, adminToken, 'tenants', 'frobnicate')).code).toBe(2);
    expect((await cli(server, adminToken, 'reconcile')).code).toBe(0);

    const revoked = await cli(server, adminToken, 'tokens', 'revoke', sellerTokenId);
    expect(revoked.code).toBe(0);
    const listed = (await cli(server, adminToken, '--json', 'tokens', 'list', '--tenant', tenantId)).json();
    expect(listed.find((t: { tokenId: string }) => t.tokenId === sellerTokenId).revokedAt).not.toBeNull();
    const refused = await cli(server, sellerToken, 'import', csvPath, '--source', 'MF');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/unauthorized/);
  });

  it('the onhand bin runs the CLI with exit codes; /healthz answers without a token', async () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'onhand.mjs');
    // Asynchronously: the server answering the child runs in this process.
    const env = { ...process.env, ONHAND_SERVER: server.url, ONHAND_TOKEN: adminToken };
    const result = await promisify(execFile)(process.execPath, [bin, 'tenants', 'list', '--json'], { env, encoding: 'utf8' });
    const denied = await promisify(execFile)(process.execPath, [bin, 'tokens', 'list'], { env: { ...env, ONHAND_TOKEN: 'onh_a_forged' }, encoding: 'utf8' }).then(
      () => 0,
      (error: { code?: number }) => error.code,
    );
    expect(denied).toBe(4);
    expect(JSON.parse(result.stdout).map((t: { tenantId: string }) => t.tenantId)).toContain(tenantId);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('seed-demo adds the demo seller to a database that has other tenants, once, and prints a token that works', async () => {
    const base = process.env.TEST_DATABASE_URL;
    const target = base ? await createPostgresDatabase(base) : undefined;
    const dataDir = join(dir, 'demo', 'data');
    const at = target ? { databaseUrl: target.databaseUrl } : { dataDir };
    const withServerOnTarget = async <T>(work: (url: string) => Promise<T>): Promise<T> => {
      const running = await startServer({ ...at, adminToken, logLevel: 'silent' });
      try {
        return await work(running.url);
      } finally {
        await running.close();
      }
    };
    /** The demo seller's state as a user sees it: tenants, its ledger, MF stock of the mug, and whether each token works. */
    const look = (tokens: string[]) =>
      withServerOnTarget(async (url) => {
        const admin = apiClient({ server: url, token: adminToken });
        const tenants = (await admin.admin.tenants.list.query()).tenants.map((t) => t.name).sort();
        const demoId = (await admin.admin.tenants.list.query()).tenants.find((t) => t.name === 'Demo seller')?.tenantId;
        const ledger = demoId ? await exportedLedger(demoId, url) : [];
        const mugs = await Promise.all(
          tokens.map(async (token) => {
            const demo = apiClient({ server: url, token });
            const [sources, stock] = await Promise.all([demo.sources.list.query(), demo.inventory.bySkus.query({ skus: ['DEMO-MUG-11OZ'] })]);
            const mf = sources.find((s) => s.name === 'MF')!.sourceId;
            return stock.items[0]?.sources.find((s) => s.sourceId === mf)?.onHand;
          }),
        );
        return { tenants, demoId, ledgerEntries: ledger.length, mugs };
      });
    try {
      await withServerOnTarget(async (url) => {
        await apiClient({ server: url, token: adminToken }).admin.tenants.create.mutate({ name: 'Someone else' });
      });
      const seedArgs = target ? ['--database-url', target.databaseUrl] : ['--data-dir', dataDir];
      const first = await cli(server, adminToken, '--json', 'seed-demo', ...seedArgs);
      expect(first.code, first.stderr).toBe(0);
      expect(first.json()).toMatchObject({ created: true, token: expect.stringMatching(/^onh_s_/) as unknown as string });
      const seeded = await look([first.json().token]);
      expect(seeded).toMatchObject({ tenants: ['Demo seller', 'Someone else'], demoId: first.json().tenantId, mugs: [12] });
      expect(seeded.ledgerEntries).toBeGreaterThan(10);

      const second = await cli(server, adminToken, 'seed-demo', ...seedArgs);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain(`The demo seller was already in`);
      const token = /Demo seller token: (onh_s_\S+)/.exec(second.stdout)?.[1];
      expect(token).toBeDefined();
      expect(token).not.toBe(first.json().token);
      // Nothing seeded twice; both tokens work.
      expect(await look([first.json().token, token!])).toEqual({ ...seeded, mugs: [12, 12] });
      if (!target) expect(readFileSync(join(dir, 'demo', 'demo-token'), 'utf8')).toBe(token);
    } finally {
      await target?.drop();
    }
  }, 120_000);
});
