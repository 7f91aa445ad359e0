import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createPostgresDatabase } from '@onhand/server/testing';
import pg from 'pg';
import type { Browser, Page } from 'puppeteer-core';
import { launchWithExtension } from '../support/browser';
import { builtExtensionDir, connectExtension, extensionIdOf } from '../support/extension';
import { apiClient, benchDatabaseUrl, fmt, percentile, spawnServer } from './support';

/**
 * Issue 7: the popup on a catalogue of 100,000 SKUs, against the same on
 * 1,000 SKUs (same server, same run) as the baseline:
 * - popup open → first results painted (p50/p95): popup.html opened in real
 *   Chromium with the built extension, a query typed as soon as the search
 *   field exists, until the frame after its results are in the DOM;
 * - keystroke → results painted (p95), from the keydown's time stamp;
 * - `search.catalog`'s latency through HTTP (p50/p95; target p95 < 50 ms
 *   server side), per kind of query; `search.attention` (the badge's recount);
 * - the popup's bundle, raw and gzip.
 *
 * The catalogue is made by a bulk generator (SQL, one statement per table)
 * that keeps every balance equal to its ledger: each stocked (source, SKU)
 * gets one `count` entry of its quantity, and each listing's published
 * quantity is recorded as the rules compute it. `admin.reconcile` checks
 * both at the end.
 */
const bigCatalogue = 100_000;
const smallCatalogue = 1_000;

const adjectives = ['steel', 'ceramic', 'organic', 'bamboo', 'glass', 'linen', 'wool', 'leather', 'cotton', 'copper', 'oak', 'recycled'];
const nouns = ['mug', 'bottle', 'tee', 'candle', 'lamp', 'tote', 'scarf', 'notebook', 'planter', 'coaster', 'blanket', 'apron', 'bowl'];
const colours = ['black', 'white', 'navy', 'sage', 'rust', 'sand', 'plum', 'teal', 'lavender', 'charcoal', 'ivory'];

/** The SKU of catalogue row g (1-based): SKU-000001 … */
const skuOf = (g: number) => `SKU-${String(g).padStart(6, '0')}`;

/**
 * Fills a tenant with `count` products: titles from word lists, stock at MF
 * (every SKU), FBA (6 in 10) and Deliverr (3 in 10), an Amazon listing per
 * SKU (its ASIN) and an eBay listing for every other one, each with its
 * published quantity in the outbox.
 */
async function generateCatalogue(client: pg.Client, t: { tenantId: string; mf: string; fba: string; deliverr: string; amazon: string; ebay: string }, count: number): Promise<void> {
  const words = (list: string[]) => `(array[${list.map((w) => `'${w}'`).join(',')}])`;
  const title = `initcap(${words(adjectives)}[1 + g % ${adjectives.length}] || ' ' || ${words(nouns)}[1 + (g / 7) % ${nouns.length}] || ', ' || ${words(colours)}[1 + (g / 3) % ${colours.length}] || ', no. ' || g)`;
  const sku = `'SKU-' || lpad(g::text, 6, '0')`;
  await client.query('begin');
  await client.query(`insert into products (tenant_id, sku, title) select $1, ${sku}, ${title} from generate_series(1, $2::int) g`, [t.tenantId, count]);
  // Stock: one count per stocked (source, SKU); the balance is that count, so balance = ledger.
  const stock = `
    select ${sku} as sku, s.source_id, s.qty from generate_series(1, $2::int) g
    cross join lateral (values ($3::text, (g * 7) % 40), ($4::text, case when g % 10 < 6 then (g * 13) % 90 else 0 end), ($5::text, case when g % 10 < 3 then (g * 5) % 25 else 0 end)) s(source_id, qty)
    where s.qty > 0`;
  await client.query(`insert into balances (tenant_id, source_id, sku, on_hand, committed, last_counted_at) select $1, source_id, sku, qty, 0, now() from (${stock}) x`, [t.tenantId, count, t.mf, t.fba, t.deliverr]);
  await client.query(
    `insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor) select $1, source_id, sku, 'on_hand', qty, qty, 'count', 'bench: bulk generator' from (${stock}) x`,
    [t.tenantId, count, t.mf, t.fba, t.deliverr],
  );
  const asin = `'B0' || upper(lpad(to_hex(g * 2654435761 % 4294967296), 8, '0'))`;
  await client.query(
    `insert into listings (tenant_id, id, channel_id, sku, channel_sku, external_id, title, fulfilled_by, status)
     select $1, 'lst_a' || g, $2, ${sku}, ${sku}, ${asin}, null, 'merchant', 'tracked' from generate_series(1, $4::int) g
     union all
     select $1, 'lst_e' || g, $3, ${sku}, 'EB-' || ${sku}, (385000000000 + g)::text, null, 'merchant', 'tracked' from generate_series(1, $4::int) g where g % 2 = 0`,
    [t.tenantId, t.amazon, t.ebay, count],
  );
  // Published = the sum of what is available at the channel's sources (no rules): Amazon sells from all three, eBay from Deliverr and MF.
  await client.query(
    `insert into listing_pushes (tenant_id, listing_id, desired, state)
     select l.tenant_id, l.id, coalesce(sum(greatest(0, b.on_hand - b.committed)) filter (where l.channel_id = $2 or b.source_id <> $3), 0), 'pending'
     from listings l left join balances b on b.tenant_id = l.tenant_id and b.sku = l.sku
     where l.tenant_id = $1 group by l.tenant_id, l.id`,
    [t.tenantId, t.amazon, t.fba],
  );
  await client.query('commit');
}

/** A seller tenant with the demo's sources and channels, through the API, then its catalogue. */
async function sellerWithCatalogue(server: { url: string; adminToken: string }, client: pg.Client, name: string, count: number) {
  const admin = apiClient(server.url, server.adminToken);
  const { tenantId } = await admin.admin.tenants.create.mutate({ name });
  const { token } = await admin.admin.tokens.issue.mutate({ tenantId, role: 'seller', label: 'bench' });
  const seller = apiClient(server.url, token);
  const mf = await seller.sources.create.mutate({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'mf' });
  const fba = await seller.sources.create.mutate({ name: 'FBA', kind: 'fba', autoFulfill: true, shipsTo: ['US'], idempotencyKey: 'fba' });
  const deliverr = await seller.sources.create.mutate({ name: 'Deliverr', kind: 'deliverr', idempotencyKey: 'dlv' });
  const amazon = await seller.channels.create.mutate({ marketplace: 'amazon', region: 'US', name: 'Amazon US', sourceIds: [mf.sourceId, fba.sourceId, deliverr.sourceId] });
  const ebay = await seller.channels.create.mutate({ marketplace: 'ebay', region: 'US', name: 'eBay US', sourceIds: [deliverr.sourceId, mf.sourceId] });
  const started = performance.now();
  await generateCatalogue(client, { tenantId, mf: mf.sourceId, fba: fba.sourceId, deliverr: deliverr.sourceId, amazon: amazon.channelId, ebay: ebay.channelId }, count);
  return { tenantId, token, seller, generatedMs: performance.now() - started };
}

/** What a seller types, by kind; each finds something in both catalogues. */
function queries(count: number): Record<string, string[]> {
  const picks = [17, 421, 777, 903].map((n) => Math.max(1, Math.round((n / 1000) * count)));
  return {
    'SKU prefix': picks.map((g) => skuOf(g).slice(0, 8)),
    'whole SKU': picks.map(skuOf),
    'eBay item id': picks.map((g) => String(385000000000 + (g - (g % 2) || 2))), // every other SKU is on eBay
    'title word': ['bottle', 'lavender', 'bamboo', 'notebook'],
    'two letters': ['sk', 'st', 'b0', 'co'],
    'digits inside a SKU': ['0421', '777', '903', '217'],
    'nothing matches': ['zzqx', 'no-such-sku'],
  };
}

async function searchLatencies(seller: ReturnType<typeof apiClient>, byKind: Record<string, string[]>, seconds: number) {
  const all: number[] = [];
  const perKind: Record<string, number[]> = {};
  for (const list of Object.values(byKind)) for (const query of list) await seller.search.catalog.query({ query }); // warm
  const until = performance.now() + seconds * 1000;
  for (let r = 0; r < 5 || performance.now() < until; r += 1) {
    for (const [kind, list] of Object.entries(byKind)) {
      for (const query of list) {
        const started = performance.now();
        await seller.search.catalog.query({ query });
        const ms = performance.now() - started;
        all.push(ms);
        (perKind[kind] ??= []).push(ms);
      }
    }
  }
  for (const list of Object.values(perKind)) list.sort((a, b) => a - b);
  return { all: all.sort((a, b) => a - b), perKind };
}

/**
 * The part of a search that grows with the catalogue: the match itself
 * (`catalog_search_matches`), as the server runs it (application role,
 * the tenant's setting), timed from a plain connection.
 */
async function matchLatencies(client: pg.Client, tenantId: string, byKind: Record<string, string[]>, rounds: number): Promise<number[]> {
  await client.query("select set_config('role', 'onhand_app', false), set_config('onhand.tenant_id', $1, false)", [tenantId]);
  const samples: number[] = [];
  try {
    for (let r = 0; r < rounds; r += 1) {
      for (const query of Object.values(byKind).flat()) {
        const started = performance.now();
        await client.query('select * from catalog_search_matches($1, 20)', [query]);
        if (r > 0) samples.push(performance.now() - started);
      }
    }
  } finally {
    await client.query("select set_config('role', 'none', false), set_config('onhand.tenant_id', '', false)");
  }
  return samples.sort((a, b) => a - b);
}

async function attentionLatencies(seller: ReturnType<typeof apiClient>, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  await seller.search.attention.query();
  for (let r = 0; r < rounds; r += 1) {
    const started = performance.now();
    await seller.search.attention.query();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * In the popup page: the time (page clock, ms since navigation start) of the
 * first frame after the results list shows `expected` first and is not busy,
 * and the time stamp of the last keydown.
 */
const pageProbe = () => {
  const w = window as unknown as { __expect?: string; __paintedAt?: number; __keyAt?: number };
  document.addEventListener('keydown', (e) => (w.__keyAt = e.timeStamp), true);
  new MutationObserver(() => {
    if (w.__expect === undefined || w.__paintedAt !== undefined) return;
    const list = document.querySelector('.results');
    if (!list || list.getAttribute('aria-busy') === 'true') return;
    if (list.querySelector('[data-sku]')?.getAttribute('data-sku') !== w.__expect) return;
    requestAnimationFrame(() => (w.__paintedAt ??= performance.now()));
  }).observe(document, { subtree: true, childList: true, attributes: true });
};

async function waitPainted(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => (window as unknown as { __paintedAt?: number }).__paintedAt, { timeout: 30_000, polling: 10 });
  return Number(await handle.jsonValue());
}

/** Opens the popup, types `query` as soon as the field is there; ms from navigation start to its results painted. */
async function openToResults(browser: Browser, popupUrl: string, query: string, expected: string): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 360, height: 600 });
    await page.evaluateOnNewDocument(pageProbe);
    await page.evaluateOnNewDocument((sku: string) => ((window as unknown as { __expect?: string }).__expect = sku), expected);
    await page.goto(popupUrl, { waitUntil: 'domcontentloaded' });
    await page.bringToFront();
    const input = await page.waitForSelector('input[name=search]', { timeout: 30_000 });
    await input!.type(query);
    return await waitPainted(page);
  } finally {
    await page.close();
  }
}

/** In an open popup showing results for `prefix`, types one more character; ms from its keydown to the new results painted. */
async function keystrokeToResults(page: Page, prefix: string, next: string, expected: string): Promise<number> {
  const input = (await page.$('input[name=search]'))!;
  await input.click({ count: 3 });
  await page.evaluate(() => ((window as unknown as { __expect?: string }).__expect = undefined));
  await input.type(prefix);
  await page.waitForFunction((p: string) => document.querySelector('.results:not([aria-busy="true"]) [data-sku]') !== null && (document.querySelector<HTMLInputElement>('input[name=search]')?.value ?? '') === p, { polling: 10 }, prefix);
  await new Promise((r) => setTimeout(r, 250)); // the prefix's answer is in
  await page.evaluate((sku: string) => {
    const w = window as unknown as { __expect?: string; __paintedAt?: number };
    w.__paintedAt = undefined;
    w.__expect = sku;
  }, expected);
  await page.keyboard.type(next);
  const paintedAt = await waitPainted(page);
  const keyAt = await page.evaluate(() => (window as unknown as { __keyAt?: number }).__keyAt ?? Number.NaN);
  return paintedAt - keyAt;
}

/** The popup's files (popup.html's scripts and styles, and the chunks they import), raw and gzip. */
function popupBundle(extensionDir: string): { files: string[]; rawBytes: number; gzipBytes: number } {
  const html = readFileSync(join(extensionDir, 'popup.html'), 'utf8');
  const pending = [...html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const files = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    const code = readFileSync(join(extensionDir, file), 'utf8');
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const m of code.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) pending.push(`${dir}${m[1]}`);
  }
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const bytes = readFileSync(join(extensionDir, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: [...files].sort(), rawBytes, gzipBytes };
}

export async function benchPopup(options: { seconds: number }): Promise<string[]> {
  const extensionDir = builtExtensionDir();
  const database = await createPostgresDatabase(benchDatabaseUrl);
  const server = await spawnServer({ DATABASE_URL: database.databaseUrl });
  const client = new pg.Client({ connectionString: database.databaseUrl });
  client.on('error', () => {});
  let session: Awaited<ReturnType<typeof launchWithExtension>> | undefined;
  try {
    await client.connect();
    const big = await sellerWithCatalogue(server, client, 'Bench seller, 100,000 SKUs', bigCatalogue);
    const small = await sellerWithCatalogue(server, client, 'Bench seller, 1,000 SKUs', smallCatalogue);
    await client.query('analyze');

    // search.catalog and search.attention through HTTP: the server's side of a keystroke.
    const bigSearch = await searchLatencies(big.seller, queries(bigCatalogue), options.seconds);
    const smallSearch = await searchLatencies(small.seller, queries(smallCatalogue), options.seconds);
    const bigMatch = await matchLatencies(client, big.tenantId, queries(bigCatalogue), 6);
    const smallMatch = await matchLatencies(client, small.tenantId, queries(smallCatalogue), 6);
    const bigAttention = await attentionLatencies(big.seller, 30);
    const smallAttention = await attentionLatencies(small.seller, 30);

    // The popup in Chromium, with the built extension connected to each tenant in turn.
    session = await launchWithExtension(extensionDir);
    const extensionId = await extensionIdOf(session.browser);
    const popupUrl = `chrome-extension://${extensionId}/popup.html`;
    const opens = Math.max(8, options.seconds * 2);
    const popupFigures = async (token: string, count: number) => {
      const connected = await connectExtension(session!.browser, extensionId, { serverUrl: server.url, token });
      if (connected.state !== 'connected') throw new Error(`the extension did not connect: ${connected.text}`);
      const openMs: number[] = [];
      for (let n = 0; n < opens; n += 1) {
        const g = 1 + ((n * 7919) % count);
        // 'SKU-00421' lists SKU-004210 … SKU-004219, the first one on top.
        openMs.push(await openToResults(session!.browser, popupUrl, skuOf(g).slice(0, 9), skuOf(Math.floor(g / 10) * 10 || 1)));
      }
      const keyMs: number[] = [];
      const page = await session!.browser.newPage();
      await page.setViewport({ width: 360, height: 600 });
      await page.evaluateOnNewDocument(pageProbe);
      await page.goto(popupUrl);
      await page.bringToFront();
      await page.waitForSelector('input[name=search]');
      for (let n = 0; n < opens * 2; n += 1) {
        const g = 10 + ((n * 104729) % (count - 10));
        const full = skuOf(g);
        keyMs.push(await keystrokeToResults(page, full.slice(0, -1), full.slice(-1), full));
      }
      await page.close();
      return { openMs: openMs.sort((a, b) => a - b), keyMs: keyMs.sort((a, b) => a - b) };
    };
    const bigPopup = await popupFigures(big.token, bigCatalogue);
    const smallPopup = await popupFigures(small.token, smallCatalogue);

    const admin = apiClient(server.url, server.adminToken);
    const reconciled = await admin.admin.reconcile.mutate({});
    const bundle = popupBundle(extensionDir);

    const p = (list: number[], q: number) => fmt(percentile(list, q), 1);
    const ratio = (a: number[], b: number[], q: number) => fmt(percentile(a, q) / percentile(b, q), 2);
    const kinds = Object.keys(bigSearch.perKind);
    return [
      `popup: ${fmt(bigCatalogue)} SKUs (baseline: ${fmt(smallCatalogue)} SKUs on the same server, same run); PostgreSQL, server in its own process, real Chromium with the built extension; load average ${loadavg().map((l) => fmt(l, 1)).join(' ')} on ${cpus().length} cores`,
      `  catalogue made by the bulk generator in ${fmt(big.generatedMs / 1000, 1)} s (${fmt(bigCatalogue)} products, their stock as one count each, ${fmt(bigCatalogue * 1.5)} listings with published quantities)`,
      `  popup open → first results painted: p50 ${p(bigPopup.openMs, 50)} ms, p95 ${p(bigPopup.openMs, 95)} ms (${bigPopup.openMs.length} opens) = ${ratio(bigPopup.openMs, smallPopup.openMs, 95)}× the baseline p95 (${p(smallPopup.openMs, 95)} ms); includes the 120 ms typing pause`,
      `  keystroke → results painted: p50 ${p(bigPopup.keyMs, 50)} ms, p95 ${p(bigPopup.keyMs, 95)} ms (${bigPopup.keyMs.length} keystrokes) = ${ratio(bigPopup.keyMs, smallPopup.keyMs, 95)}× the baseline p95 (${p(smallPopup.keyMs, 95)} ms); includes the 120 ms typing pause`,
      `  search.catalog through HTTP: p50 ${p(bigSearch.all, 50)} ms, p95 ${p(bigSearch.all, 95)} ms (${bigSearch.all.length} calls; target p95 < 50 ms) = ${ratio(bigSearch.all, smallSearch.all, 95)}× the baseline p95 (${p(smallSearch.all, 95)} ms)`,
      ...kinds.map((k) => `    ${k.padEnd(20)} p50 ${p(bigSearch.perKind[k]!, 50).padStart(6)} ms, p95 ${p(bigSearch.perKind[k]!, 95).padStart(6)} ms   (baseline p95 ${p(smallSearch.perKind[k] ?? [], 95)} ms)`),
      `    of which the match (catalog_search_matches, in the database): p50 ${p(bigMatch, 50)} ms, p95 ${p(bigMatch, 95)} ms = ${ratio(bigMatch, smallMatch, 95)}× the baseline p95 (${p(smallMatch, 95)} ms)`,
      `  search.attention (the badge's recount): p50 ${p(bigAttention, 50)} ms, p95 ${p(bigAttention, 95)} ms = ${ratio(bigAttention, smallAttention, 95)}× the baseline p95 (${p(smallAttention, 95)} ms)`,
      `  popup bundle: ${fmt(bundle.rawBytes / 1024, 1)} KB raw, ${fmt(bundle.gzipBytes / 1024, 1)} KB gzip (${bundle.files.join(', ')})`,
      `  admin.reconcile: ${reconciled.mismatches.length} balance/ledger mismatches over ${fmt(reconciled.checked)} balances; ${reconciled.publishing.mismatches.length} published-quantity mismatches over ${fmt(reconciled.publishing.checked)} listings`,
    ];
  } finally {
    await session?.close();
    await client.end().catch(() => {});
    await server.stop();
    await database.drop();
  }
}
