import pg from 'pg';
import { createPostgresDatabase } from '@onhand/server/testing';
import { measuredProcess, runOnhand, serverMemory } from './import.bench';
import { apiClient, benchDatabaseUrl, fmt, spawnServer } from './support';

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
const skuCount = 10_000;

/**
 * The bench's ledger, written straight into the tables (a documented
 * generator, not what is measured): entry g (1, 2, …) receives one unit of
 * SKU "EXP-(g mod 10,000)" at MF, so the k-th entry of a SKU has balance
 * after k; then each balance is set to its number of entries. Every balance
 * equals the sum of its ledger (the bench ends with admin.reconcile), and
 * growing the ledger from n to m entries continues the same sequence.
 */
async function growLedger(client: pg.Client, tenantId: string, sourceId: string, from: number, to: number): Promise<void> {
  await client.query(
    `insert into ledger_entries (tenant_id, at, source_id, sku, bucket, delta, balance_after, reason, actor, note)
     select $1, timestamptz '2026-01-01T00:00:00Z' + g * interval '10 ms', $2, 'EXP-' || (g % ${skuCount}), 'on_hand', 1, (g - 1) / ${skuCount} + 1, 'received', 'bench generator', 'pallet ' || (g / 500)
     from generate_series($3::int8, $4::int8) g`,
    [tenantId, sourceId, from, to],
  );
  await client.query(
    `update balances b set on_hand = s.n, updated_at = now()
     from (select sku, count(*) as n from ledger_entries where tenant_id = $1 group by sku) s
     where b.tenant_id = $1 and b.source_id = $2 and b.sku = s.sku`,
    [tenantId, sourceId],
  );
  await client.query('analyze ledger_entries');
}

/**
 * Issue 8: `onhand export ledger` of 100,000 and 1,000,000 entries through
 * the real CLI process from a real server process on PostgreSQL: time, and
 * the peak RSS of the CLI and of the server (a fresh server process for each
 * size, so its peak is that export's), which must stay flat as the ledger
 * grows tenfold. Baseline from the same run: psql's \copy of the same rows
 * (the same columns, same order) to /dev/null — the database's own streaming
 * rate. BENCH_EXPORT_ENTRIES=100000,1000000 sets the sizes.
 */
export async function benchExport(): Promise<string[]> {
  const sizes = (process.env.BENCH_EXPORT_ENTRIES ?? '100000,1000000').split(',').map(Number);
  const database = await createPostgresDatabase(benchDatabaseUrl);
  const client = new pg.Client({ connectionString: database.databaseUrl });
  client.on('error', () => {});
  await client.connect();
  const lines = ['export: `onhand export ledger --format jsonl -o /dev/null` as its own process ← server process ← PostgreSQL (keyset pages of 2,000)'];
  try {
    // Setup through the API: a tenant, its MF source; then the products and balances the generator needs.
    let server = await spawnServer({ DATABASE_URL: database.databaseUrl });
    const { tenantId } = await apiClient(server.url, server.adminToken).admin.tenants.create.mutate({ name: 'Export bench' });
    const { token } = await apiClient(server.url, server.adminToken).admin.tokens.issue.mutate({ tenantId, role: 'seller', label: 'bench' });
    const mf = await apiClient(server.url, token).sources.create.mutate({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'mf' });
    await server.stop();
    await client.query(`insert into products (tenant_id, sku, title) select $1, 'EXP-' || g, 'Export product ' || g from generate_series(0, ${skuCount - 1}) g`, [tenantId]);
    await client.query(`insert into balances (tenant_id, source_id, sku, on_hand, committed) select $1, $2, 'EXP-' || g, 0, 0 from generate_series(0, ${skuCount - 1}) g`, [tenantId, mf.sourceId]);

    lines.push(`  CLI process alone (onhand --help): peak RSS ${mb((await runOnhand(['--help'], {})).peakRssBytes)}`);
    let written = 0;
    const peaks: { entries: number; cli: number; server: number }[] = [];
    for (const entries of sizes) {
      const generating = performance.now();
      await growLedger(client, tenantId, mf.sourceId, written + 1, entries);
      written = entries;
      const generatedSeconds = (performance.now() - generating) / 1000;

      // A fresh server process: its peak RSS is this export's.
      server = await spawnServer({ DATABASE_URL: database.databaseUrl });
      try {
        const idle = await serverMemory(server);
        const run = await runOnhand(['--json', 'export', 'ledger', '--tenant', tenantId, '--format', 'jsonl', '-o', '/dev/null'], { ONHAND_SERVER: server.url, ONHAND_TOKEN: server.adminToken });
        if (run.exitCode !== 0) throw new Error(`export exited ${run.exitCode}: ${run.stderr}`);
        const result = JSON.parse(run.stdout) as { entries: number; seconds: number };
        if (result.entries !== entries) throw new Error(`export gave ${result.entries} entries, the ledger has ${entries}`);
        const serverPeak = (await serverMemory(server)).peakRssBytes;
        const copy = await measuredProcess('psql', [
          database.databaseUrl,
          '-q',
          '-c',
          `\\copy (select id, at, source_id, sku, bucket, delta, balance_after, reason, actor, order_id, order_line_id, note from ledger_entries where tenant_id = '${tenantId}' order by id) to '/dev/null'`,
        ]);
        if (copy.exitCode !== 0) throw new Error(`psql \\copy failed: ${copy.stderr}`);
        peaks.push({ entries, cli: run.peakRssBytes, server: serverPeak });
        lines.push(
          `  ${fmt(entries)} entries (generated in ${fmt(generatedSeconds, 1)} s): ${fmt(result.seconds, 1)} s = ${fmt(entries / result.seconds)} entries/s ` +
            `(${fmt(run.seconds, 1)} s with process start); CLI peak RSS ${mb(run.peakRssBytes)}; server peak RSS ${mb(serverPeak)} (${mb(idle.rssBytes)} idle)`,
          `    baseline (same run): psql \\copy of the same rows to /dev/null ${fmt(copy.seconds, 1)} s = ${fmt(entries / copy.seconds)} rows/s → export takes ${fmt(result.seconds / copy.seconds, 1)}× as long`,
        );
      } finally {
        await server.stop();
      }
    }
    const [small, large] = [peaks[0], peaks.at(-1)];
    if (small && large && large !== small) {
      lines.push(
        `  memory as the ledger grows ${fmt(large.entries / small.entries)}×: CLI peak RSS ${fmt(large.cli / small.cli, 2)}×, server peak RSS ${fmt(large.server / small.server, 2)}× (flat = 1.00×)`,
      );
    }
    server = await spawnServer({ DATABASE_URL: database.databaseUrl });
    try {
      const reconciled = await apiClient(server.url, server.adminToken).admin.reconcile.mutate({ tenantId });
      lines.push(`  reconcile afterwards: ${fmt(reconciled.checked)} balances checked, ${reconciled.mismatches.length} mismatches`);
    } finally {
      await server.stop();
    }
    return lines;
  } finally {
    await client.end();
    await database.drop();
  }
}
