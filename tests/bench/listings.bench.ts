import { createPostgresDatabase } from '@onhand/server/testing';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { AppRouter } from '@onhand/server';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { benchCaller, benchDatabaseUrl, fmt, lightFetch, percentile, spawnServer } from './support';

const rowsPerPage = 500;

/**
 * Issue 5: listings.lookup of a 500-row page, p50/p95, with 1,000 and with
 * 1,000,000 ledger entries in the database; and change-to-subscriber latency
 * over SSE between two server processes on one PostgreSQL.
 */
export async function benchListings(options: { seconds: number }): Promise<string[]> {
  const database = await createPostgresDatabase(benchDatabaseUrl);
  const server = await spawnServer({ DATABASE_URL: database.databaseUrl });
  const peer = await spawnServer({ DATABASE_URL: database.databaseUrl });
  try {
    const admin = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, fetch: lightFetch, headers: { Authorization: `Bearer ${server.adminToken}` } })] });
    const { tenantId } = await admin.admin.tenants.create.mutate({ name: 'Lookup bench' });
    const { token } = await admin.admin.tokens.issue.mutate({ tenantId, role: 'seller', label: 'bench' });
    const seller = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, fetch: lightFetch, headers: { Authorization: `Bearer ${token}` }, methodOverride: 'POST' })] });
    const mf = await seller.sources.create.mutate({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'mf' });
    await seller.sources.create.mutate({ name: 'FBA', kind: 'fba', idempotencyKey: 'fba' });
    await seller.sources.create.mutate({ name: 'Deliverr', kind: 'deliverr', idempotencyKey: 'dlv' });
    const channel = await seller.channels.create.mutate({ marketplace: 'amazon', region: 'US', name: 'Amazon US' });
    const client = new pg.Client({ connectionString: database.databaseUrl });
    client.on('error', () => {});
    await client.connect();
    await client.query(`insert into products (tenant_id, sku, title) select $1, 'L-' || g, 'Lookup ' || g from generate_series(1, 2000) g`, [tenantId]);
    await client.query(
      `insert into listings (tenant_id, id, channel_id, sku, channel_sku, external_id, fulfilled_by, status)
       select $1, 'lst_' || g, $2, 'L-' || g, 'L-' || g, 'B0' || lpad(g::text, 8, '0'), 'merchant', 'tracked' from generate_series(1, 2000) g`,
      [tenantId, channel.channelId],
    );
    // Every row shows a quantity (3) other than the published one (0): the
    // lookup also records the page's drift (a write). The same page without
    // quantities is the lookup's read alone.
    const page = Array.from({ length: rowsPerPage }, (_, i) => ({ key: `r${i}`, channelSku: `L-${i + 1}`, externalId: `B0${String(i + 1).padStart(8, '0')}`, displayedQuantity: 3 }));
    const pageWithoutQuantities = page.map(({ displayedQuantity: _shown, ...row }) => row);
    const looker = await benchCaller(server.url, token);
    const lookup = (rows: typeof pageWithoutQuantities) => looker.call('query', 'listings.lookup', { marketplace: 'amazon', rows });
    const measure = async (rows: typeof pageWithoutQuantities = page, seconds = options.seconds * 0.5) => {
      for (let i = 0; i < 10; i += 1) await lookup(rows);
      const samples: number[] = [];
      const until = performance.now() + seconds * 1000;
      while (performance.now() < until || samples.length < 50) {
        const started = performance.now();
        await lookup(rows);
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b);
    };
    // Ledger of 1,000 entries, then of 1,000,000 (counts of 0 that keep every balance equal to its ledger).
    const addEntries = async (count: number) => {
      await client.query(
        `insert into balances (tenant_id, source_id, sku, on_hand, committed) select $1, $2, 'L-' || g, 0, 0 from generate_series(1, 2000) g on conflict do nothing`,
        [tenantId, mf.sourceId],
      );
      await client.query(
        `insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor)
         select $1, $2, 'L-' || (1 + g % 2000), 'on_hand', 0, 0, 'count', 'bench' from generate_series(1, $3::int) g`,
        [tenantId, mf.sourceId, count],
      );
      await client.query('analyze');
    };
    await addEntries(1_000);
    const small = await measure();
    const smallReadOnly = await measure(pageWithoutQuantities, options.seconds * 0.25);
    await addEntries(999_000);
    const large = await measure();
    const largeReadOnly = await measure(pageWithoutQuantities, options.seconds * 0.25);
    await client.end();
    looker.close();

    // Change → subscriber over SSE: written through one server, heard through the other.
    const subscriber = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({ url: `${peer.url}/trpc`, EventSource, connectionParams: { token } }),
          false: httpBatchLink({ url: `${peer.url}/trpc`, fetch: lightFetch, headers: { Authorization: `Bearer ${token}` } }),
        }),
      ],
    });
    const sentAt = new Map<number, number>();
    const latencies: number[] = [];
    let resolveNext: (() => void) | undefined;
    const subscription = subscriber.changes.subscribe.subscribe(undefined, {
      onData: (message) => {
        const data = message.data as { kind?: string; sku?: string; onHand?: number };
        if (data.kind !== 'balance' || data.sku !== 'L-1' || data.onHand === undefined) return;
        const sent = sentAt.get(data.onHand);
        if (sent !== undefined) latencies.push(performance.now() - sent);
        resolveNext?.();
      },
    });
    await new Promise((r) => setTimeout(r, 500));
    for (let n = 1; n <= 200; n += 1) {
      const heard = new Promise<void>((resolve) => (resolveNext = resolve));
      sentAt.set(n, performance.now());
      await seller.inventory.setQuantity.mutate({ sku: 'L-1', sourceId: mf.sourceId, onHand: n, idempotencyKey: `sse-${n}` });
      await Promise.race([heard, new Promise((r) => setTimeout(r, 2000))]);
    }
    subscription.unsubscribe();
    latencies.sort((a, b) => a - b);
    return [
      `listings: listings.lookup of ${rowsPerPage} rows through HTTP on PostgreSQL`,
      `  with 1,000 ledger entries:     p50 ${fmt(percentile(small, 50), 1)} ms, p95 ${fmt(percentile(small, 95), 1)} ms (${small.length} calls; target p95 < 25 ms)`,
      `  with 1,000,000 ledger entries: p50 ${fmt(percentile(large, 50), 1)} ms, p95 ${fmt(percentile(large, 95), 1)} ms (${large.length} calls) = ${fmt(percentile(large, 95) / percentile(small, 95), 2)}× the small p95 (target within 2×)`,
      `  the same page without page quantities (no drift to record: the read alone):`,
      `    with 1,000 ledger entries:     p50 ${fmt(percentile(smallReadOnly, 50), 1)} ms, p95 ${fmt(percentile(smallReadOnly, 95), 1)} ms (${smallReadOnly.length} calls)`,
      `    with 1,000,000 ledger entries: p50 ${fmt(percentile(largeReadOnly, 50), 1)} ms, p95 ${fmt(percentile(largeReadOnly, 95), 1)} ms (${largeReadOnly.length} calls) = ${fmt(percentile(largeReadOnly, 95) / percentile(smallReadOnly, 95), 2)}× the small p95`,
      `  change → subscriber of another server over SSE: p50 ${fmt(percentile(latencies, 50), 1)} ms, p95 ${fmt(percentile(latencies, 95), 1)} ms (${latencies.length} of 200 heard; target p95 < 100 ms)`,
    ];
  } catch (error) {
    process.stderr.write(`listings bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    throw error;
  } finally {
    await server.stop();
    await peer.stop();
    await database.drop();
  }
}
