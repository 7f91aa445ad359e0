import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { createTRPCClient, httpLink } from '@trpc/client';
import { startServer, type RunningServer } from '../src/http/server';
import { createPostgresDatabase } from '../src/testing';
import { runCli } from '../src/cli/main';
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

  const ledgerCount = async () => Number((await sql<{ n: string }>`select count(*)::int8 as n from ledger_entries where tenant_id = ${tenantId}`.execute(server.db)).rows[0]!.n);

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
    expect(imported.json()).toMatchObject({ applied: true, accepted: expected.size, failed: [] });
    expect(await ledgerCount()).toBe(expected.size);
    console.log(`import: ${expected.size} rows in ${seconds.toFixed(1)} s = ${Math.round(expected.size / seconds)} rows/s (${server.databaseKind})`);

    const rerun = await cli(server, sellerToken, '--json', 'import', csvPath, '--source', 'MF', '--good-rows-only');
    expect(rerun.code).toBe(0);
    expect(await ledgerCount()).toBe(expected.size);
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

  it('the onhand bin runs the CLI with exit codes and /metrics serves Prometheus text', async () => {
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
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^onhand_http_requests_total \d+$/m);
    expect(metrics).toMatch(/^onhand_outbox_pushes\{state="pending"\} \d+$/m);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
