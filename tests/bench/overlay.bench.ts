import { sql } from 'kysely';
import { platformScope, withScope } from '@onhand/server/testing';
import { startE2eEnvironment } from '../support/e2e-environment';
import { fmt, percentile } from './support';

const rowCount = 500;
const url = 'https://sellercentral.amazon.com/myinventory/inventory?fulfilledBy=all&page=1&pageSize=500';

/** A Manage All Inventory page whose 500 rows a script renders after load, as the SPA does. */
function pageWith500Rows(): string {
  const row = (i: number) => `
  <div class="JanusTable-module__tableRowWrapper--Tq1Vd" data-sku="P-${i}" data-asin="B0P${String(i).padStart(7, '0')}">
    <div class="JanusTable-module__tableContentRow--MGDsi" role="row">
      <div class="JanusTable-module__tableCell--a7RRe" role="cell">
        <div class="JanusSplitBox-module__row--pQ7aa"><div class="JanusSplitBox-module__panel--eZ9aS">SKU</div><div class="JanusSplitBox-module__panel--eZ9aS"><a href="/abis/listing/edit?sku=P-${i}">P-${i}</a></div></div>
        <div class="JanusSplitBox-module__row--pQ7aa"><div class="JanusSplitBox-module__panel--eZ9aS">ASIN</div><div class="JanusSplitBox-module__panel--eZ9aS">B0P${String(i).padStart(7, '0')}</div></div>
      </div>
      <div class="JanusTable-module__tableCell--a7RRe" role="cell">
        <div class="JanusSplitBox-module__row--pQ7aa"><div class="JanusSplitBox-module__panel--eZ9aS">Available</div><div class="JanusSplitBox-module__panel--eZ9aS"><kat-input type="number" name="quantity" value="${i % 7}"></kat-input></div></div>
      </div>
    </div>
  </div>`;
  const rows = Array.from({ length: rowCount }, (_, i) => row(i + 1)).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Manage All Inventory</title></head><body>
<div id="myinventory-root"><div role="table"><div id="body" role="rowgroup"></div></div></div>
<template id="rows">${rows}</template>
<script>
  // The same-run baseline: when the page has painted its own rows (the frame after they went in).
  const paintedAt = (name) => requestAnimationFrame(() => setTimeout(() => { window[name] = performance.now(); }, 0));
  setTimeout(() => {
    window.__rowsAt = performance.now();
    document.getElementById('body').append(document.getElementById('rows').content.cloneNode(true));
    paintedAt('__pagePaintedAt');
  }, 300);
  new MutationObserver((_, observer) => {
    if (document.querySelectorAll('[data-onhand-row][data-onhand-state~="tracked"]').length < ${rowCount}) return;
    observer.disconnect();
    window.__badgesAt = performance.now();
    paintedAt('__badgesPaintedAt');
  }).observe(document, { subtree: true, childList: true, attributes: true });
</script></body></html>`;
}

async function requestCount(serverUrl: string): Promise<number> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  return Number(/^onhand_http_requests_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Issue 6: on a saved page with 500 rows, the time from rows in the DOM to
 * all badges shown (p50/p95) and the server requests per page render.
 */
export async function benchOverlay(options: { seconds: number }): Promise<string[]> {
  // Request counts come from /metrics, which otherwise wants an admin token.
  process.env.ONHAND_METRICS_PUBLIC = 'true';
  const env = await startE2eEnvironment(process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
  try {
    const { tenantId, channelIds, sourceIds } = env.demo;
    // Setup as the platform (row-level security: the server's own default scope writes nothing).
    await withScope(platformScope, async () => {
      await sql`insert into products (tenant_id, sku, title) select ${tenantId}, 'P-' || g, 'Bench product ' || g from generate_series(1, ${rowCount}) g`.execute(env.server.db);
      await sql`insert into listings (tenant_id, id, channel_id, sku, channel_sku, external_id, fulfilled_by, status)
        select ${tenantId}, 'lst_p' || g, ${channelIds.amazon}, 'P-' || g, 'P-' || g, 'B0P' || lpad(g::text, 7, '0'), 'merchant', 'tracked' from generate_series(1, ${rowCount}) g`.execute(env.server.db);
      await sql`insert into balances (tenant_id, source_id, sku, on_hand, committed) select ${tenantId}, ${sourceIds.MF}, 'P-' || g, g % 7, 0 from generate_series(1, ${rowCount}) g`.execute(env.server.db);
      await sql`insert into ledger_entries (tenant_id, source_id, sku, bucket, delta, balance_after, reason, actor)
        select ${tenantId}, ${sourceIds.MF}, 'P-' || g, 'on_hand', g % 7, g % 7, 'count', 'bench setup' from generate_series(1, ${rowCount}) g`.execute(env.server.db);
    });
    const html = pageWith500Rows();
    const renders = Math.max(5, Math.round(options.seconds));
    const badgesMs: number[] = [];
    const paintedMs: number[] = [];
    const pageOwnMs: number[] = [];
    const requests: number[] = [];
    for (let n = 0; n < renders; n += 1) {
      const before = await requestCount(env.server.url);
      const page = await env.openSavedPage(url, html);
      const marks = await page.waitForFunction(
        () => {
          const w = window as unknown as Record<string, number | undefined>;
          const { __rowsAt: rowsAt, __badgesAt: badgesAt, __badgesPaintedAt: badgesPaintedAt, __pagePaintedAt: pagePaintedAt } = w;
          if (rowsAt === undefined || badgesAt === undefined || badgesPaintedAt === undefined || pagePaintedAt === undefined) return false;
          return { badges: badgesAt - rowsAt, painted: badgesPaintedAt - rowsAt, pageOwn: pagePaintedAt - rowsAt };
        },
        { timeout: 60_000, polling: 50 },
      );
      const { badges, painted, pageOwn } = (await marks.jsonValue()) as { badges: number; painted: number; pageOwn: number };
      badgesMs.push(badges);
      paintedMs.push(painted);
      pageOwnMs.push(pageOwn);
      // The /metrics reads themselves are requests too: take them out.
      requests.push((await requestCount(env.server.url)) - before - 1);
      await page.close();
    }
    for (const list of [badgesMs, paintedMs, pageOwnMs]) list.sort((a, b) => a - b);
    const p50 = (list: number[]) => percentile(list, 50);
    return [
      `overlay: Amazon page with ${rowCount} rows rendered after load, real extension in Chromium, ${renders} renders`,
      `  rows in the DOM → all ${rowCount} badges in the DOM: p50 ${fmt(p50(badgesMs))} ms, p95 ${fmt(percentile(badgesMs, 95))} ms`,
      `  rows in the DOM → all ${rowCount} badges painted:   p50 ${fmt(p50(paintedMs))} ms, p95 ${fmt(percentile(paintedMs, 95))} ms`,
      `  baseline, same run: rows in the DOM → the page painted its own rows: p50 ${fmt(p50(pageOwnMs))} ms; badges painted = ${fmt(p50(paintedMs) / p50(pageOwnMs), 2)}× that`,
      `  server requests per render: ${requests.join(', ')} (target: 1 lookup; a first sight of unknown rows adds reportSeen + one lookup of those rows)`,
    ];
  } finally {
    await env.close();
  }
}
