import pg from 'pg';
import { benchWorld, fmt, pgbenchTps, throughput } from './support';

/**
 * Issue 3: adjustments per second through the HTTP API on PostgreSQL with 16
 * clients, spread over 10,000 SKUs and on one hot SKU, against pgbench's
 * TPC-B-like TPS measured in the same run on the same server.
 */
export async function benchLedger(options: { seconds: number }): Promise<string[]> {
  const clients = 16;
  const world = await benchWorld();
  try {
    const { admin, tenantId, mf } = world;
    // 10,000 products straight into the table: setup, not what is measured.
    const client = new pg.Client({ connectionString: world.databaseUrl });
    await client.connect();
    await client.query(
      `insert into products (tenant_id, sku, title) select $1, 'BENCH-' || g, 'Bench product ' || g from generate_series(1, 10000) g`,
      [tenantId],
    );
    // A seller with a catalogue in stock: every SKU has its MF balance and
    // the entry that explains it (as a count would have written).
    await client.query(`insert into balances (tenant_id, source_id, sku, on_hand, committed) select $1, $2, 'BENCH-' || g, 100, 0 from generate_series(1, 10000) g`, [tenantId, mf.sourceId]);
    await client.query(
      `insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor)
       select $1, $2, 'BENCH-' || g, 'on_hand', 100, 100, 'count', 'bench setup' from generate_series(1, 10000) g`,
      [tenantId, mf.sourceId],
    );
    // As autovacuum would after a bulk load (it is off on some machines here):
    // without statistics the planner picks a tenant-wide scan for one SKU.
    await client.query('analyze');
    await client.end();

    // One client per concurrent caller, each with its own HTTP requests.
    const sellers = await world.sellerCallers(clients);
    const run = Date.now();
    const spread = await throughput(clients, options.seconds * 1000, (client, i) =>
      sellers[client]!('mutation', 'inventory.adjust', { sku: `BENCH-${1 + ((i * 7919) % 10000)}`, sourceId: mf.sourceId, delta: 1, reason: 'received', idempotencyKey: `s-${run}-${i}` }),
    );
    const hot = await throughput(clients, options.seconds * 1000, (client, i) =>
      sellers[client]!('mutation', 'inventory.adjust', { sku: 'BENCH-1', sourceId: mf.sourceId, delta: 1, reason: 'received', idempotencyKey: `h-${run}-${i}` }),
    );
    // What the same clients get from a call that does no work (no database):
    // the ceiling the HTTP API itself sets on this machine.
    const noWork = await throughput(clients, options.seconds * 500, (client) => sellers[client]!('query', 'account.get', undefined));
    const reconciled = await admin.admin.reconcile.mutate({ tenantId });
    const tps = pgbenchTps(world.databaseUrl, clients, options.seconds);
    return [
      `ledger: adjustments/s through HTTP on PostgreSQL, ${clients} clients, ${options.seconds}s each`,
      `  pgbench TPC-B-like (same server, same run): ${fmt(tps)} TPS`,
      `  spread over 10,000 SKUs: ${fmt(spread)} /s = ${fmt(spread / tps, 2)}× pgbench (target ≥ 0.5×)`,
      `  one hot SKU:             ${fmt(hot)} /s = ${fmt(hot / tps, 2)}× pgbench (target ≥ 0.2×)`,
      `  a call that does no work (account.get), same clients: ${fmt(noWork)} /s = ${fmt(noWork / tps, 2)}× pgbench`,
      `  reconcile afterwards: ${reconciled.checked} balances checked, ${reconciled.mismatches.length} mismatches`,
    ];
  } finally {
    await world.close();
  }
}
