import pg from 'pg';
import { benchWorld, fmt, pgbenchTps, throughput } from './support';

const skuCount = 10_000;

/**
 * Issue 4: orders ingested per second through the HTTP API on PostgreSQL
 * (16 clients, 1–3 lines per order, routing and ledger included), spread over
 * 10,000 SKUs and on one hot SKU, against pgbench in the same run.
 */
export async function benchOrders(options: { seconds: number }): Promise<string[]> {
  const clients = 16;
  const world = await benchWorld();
  try {
    const { admin, seller, tenantId, mf } = world;
    const fba = await seller.sources.create.mutate({ name: 'FBA', kind: 'fba', autoFulfill: true, shipsTo: ['US'], idempotencyKey: 'fba' });
    const channel = await seller.channels.create.mutate({ marketplace: 'ebay', region: 'US', name: 'eBay US', sourceIds: [fba.sourceId, mf.sourceId] });
    // Catalogue, listings and opening stock straight into the tables (with
    // the ledger entries that explain the stock): setup, not what is measured.
    const client = new pg.Client({ connectionString: world.databaseUrl });
    await client.connect();
    await client.query(`insert into products (tenant_id, sku, title) select $1, 'B-' || g, 'Bench ' || g from generate_series(1, ${skuCount}) g`, [tenantId]);
    await client.query(
      `insert into listings (tenant_id, id, channel_id, sku, channel_sku, fulfilled_by, status)
       select $1, 'lst_' || g, $2, 'B-' || g, 'E-' || g, 'merchant', 'tracked' from generate_series(1, ${skuCount}) g`,
      [tenantId, channel.channelId],
    );
    for (const [sourceId, onHand] of [[mf.sourceId, 1_000_000], [fba.sourceId, 1_000_000]] as const) {
      await client.query(
        `insert into balances (tenant_id, source_id, sku, on_hand, committed) select $1, $2, 'B-' || g, $3, 0 from generate_series(1, ${skuCount}) g`,
        [tenantId, sourceId, onHand],
      );
      await client.query(
        `insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor)
         select $1, $2, 'B-' || g, 'on_hand', $3, $3, 'count', 'bench setup' from generate_series(1, ${skuCount}) g`,
        [tenantId, sourceId, onHand],
      );
    }
    // As autovacuum would after a bulk load (it is off on some machines here):
    // without statistics the planner picks a tenant-wide scan for one SKU.
    await client.query('analyze');
    await client.end();

    // One client per concurrent caller, each with its own HTTP requests.
    const sellers = await world.sellerCallers(clients);
    const run = Date.now();
    const place = (client: number, i: number, skuOf: (line: number) => number) =>
      sellers[client]!('mutation', 'orders.ingest', {
        channelId: channel.channelId,
        externalOrderId: `${run}-${i}`,
        placedAt: new Date().toISOString(),
        shipTo: { country: i % 5 === 0 ? 'DE' : 'US' },
        lines: Array.from({ length: 1 + (i % 3) }, (_, line) => ({ externalLineId: String(line), channelSku: `E-${skuOf(line)}`, quantity: 1 })),
      });
    const spread = await throughput(clients, options.seconds * 1000, (client, i) => place(client, i, (line) => 1 + ((i * 7919 + line * 104729) % skuCount)));
    const hot = await throughput(clients, options.seconds * 1000, (client, i) => place(client, 1_000_000 + i, () => 1));
    const reconciled = await admin.admin.reconcile.mutate({ tenantId });
    const tps = pgbenchTps(world.databaseUrl, clients, options.seconds);
    return [
      `orders: orders ingested/s through HTTP on PostgreSQL, ${clients} clients, 1–3 lines, ${options.seconds}s each`,
      `  pgbench TPC-B-like (same server, same run): ${fmt(tps)} TPS`,
      `  spread over ${fmt(skuCount)} SKUs: ${fmt(spread)} orders/s = ${fmt(spread / tps, 2)}× pgbench (target ≥ 0.4×)`,
      `  one hot SKU:             ${fmt(hot)} orders/s = ${fmt(hot / tps, 2)}× pgbench`,
      `  reconcile afterwards: ${reconciled.checked} balances checked, ${reconciled.mismatches.length} mismatches`,
    ];
  } finally {
    await world.close();
  }
}
