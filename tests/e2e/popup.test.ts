import { testDatabaseKinds } from '@onhand/server/testing';
import type { Page, Target } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumExecutable } from '../support/browser';
import { serverSources, startE2eEnvironment, type E2eEnvironment } from '../support/e2e-environment';
import { builtExtensionDir, connectExtension, waitForBadge } from '../support/extension';
import { savedPageCases } from '../support/saved-page-expectations';

/**
 * The toolbar popup, end to end: the built extension's popup.html opened as
 * a page, against a real server with the demo tenant. Search, the
 * needs-attention list and its remedies, an idempotent quick action, the
 * toolbar badge following the server, and a wrong token.
 */
builtExtensionDir();
chromiumExecutable();

type ChromeAction = { action: { getBadgeText(details: object): Promise<string> } };

const badgeReaders = new WeakMap<E2eEnvironment, Promise<Page>>();

/**
 * The toolbar badge's text, read from an extension page that never talks to
 * the background: attaching DevTools to the service worker (or messaging it)
 * would keep it alive and hide what happens when Chromium stops it.
 */
async function readBadge(env: E2eEnvironment): Promise<string> {
  let reader = badgeReaders.get(env);
  if (!reader) {
    reader = (async () => {
      const page = await env.session.browser.newPage();
      await page.goto(`chrome-extension://${env.extensionId}/manifest.json`);
      return page;
    })();
    badgeReaders.set(env, reader);
  }
  return (await reader).evaluate(() => (globalThis as unknown as { chrome: ChromeAction }).chrome.action.getBadgeText({}));
}

/** What the toolbar badge must show: the server's count of things needing attention (empty at zero). */
async function expectedBadge(env: E2eEnvironment): Promise<string> {
  const { total } = (await env.api.search.attention.query()).counts;
  return total > 0 ? String(total) : '';
}

async function badgeFollowsServerIn(env: E2eEnvironment): Promise<void> {
  await expect.poll(async () => (await readBadge(env)) === (await expectedBadge(env)), { timeout: 15_000 }).toBe(true);
}

describe.each(testDatabaseKinds())('popup (database: %s)', (kind) => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2eEnvironment(kind);
  });
  afterAll(async () => {
    await env?.close();
  });

  async function openPopup(): Promise<Page> {
    const page = await env.session.browser.newPage();
    await page.setViewport({ width: 360, height: 600 });
    await page.goto(`chrome-extension://${env.extensionId}/popup.html`);
    return page;
  }

  async function connectedPopup(): Promise<Page> {
    const page = await openPopup();
    await page.waitForFunction(() => document.querySelector('[data-part="tenant"]')?.textContent === 'Demo seller', { timeout: 15_000 });
    return page;
  }

  async function search(page: Page, query: string): Promise<string[]> {
    const input = await page.waitForSelector('input[name=search]');
    await input?.click({ count: 3 });
    await page.keyboard.press('Backspace');
    await page.keyboard.type(query);
    // Past the debounce, then until the answer for this query is shown.
    await new Promise((r) => setTimeout(r, 400));
    await page.waitForSelector('.results:not([aria-busy="true"])');
    return page.$$eval('.results [data-sku]', (items) => items.map((i) => i.getAttribute('data-sku') ?? ''));
  }

  const badgeText = () => readBadge(env);

  it('finds products by SKU, by title and by ASIN, with quantities per source', async () => {
    const page = await connectedPopup();
    try {
      expect(await search(page, 'DEMO-MUG')).toEqual(['DEMO-MUG-11OZ']);
      const sources = await page.$$eval('.results [data-sku="DEMO-MUG-11OZ"] [data-source]', (items) =>
        items.map((i) => `${i.getAttribute('data-source')} ${i.querySelector('[data-part="available"]')?.textContent}`),
      );
      expect(sources).toEqual(await serverSources(env.api, 'DEMO-MUG-11OZ'));
      expect(await search(page, 'lavender')).toEqual(['DEMO-CANDLE-LAV']);
      expect(await search(page, 'B0DEMO0002')).toEqual(['DEMO-TEE-M-BLK']);
      const published = await page.$eval('.results [data-sku="DEMO-TEE-M-BLK"] [data-part="published"]', (el) => el.textContent ?? '');
      expect(published).toContain('Amazon US');
    } finally {
      await page.close();
    }
  });

  const badgeFollowsServer = () => badgeFollowsServerIn(env);

  it('shows the demo negative with its reason; "send to FC" fixes it, the negatives empty and the badge follows', async () => {
    const mf = env.demo.sourceIds.MF;
    await badgeFollowsServer();
    expect(await badgeText()).not.toBe('');
    const page = await connectedPopup();
    try {
      await page.click('[data-tab="attention"]');
      await page.waitForSelector('[data-kind="negative"][data-sku="DEMO-CANDLE-LAV"] [data-code="AUTO_FULFILL_OFF"]', { timeout: 10_000 });
      expect(await page.$$eval('[data-kind="negative"]', (items) => items.length)).toBe(1);
      await page.click('[data-kind="negative"] [data-remedy="SEND_TO_FULFILLMENT_CENTER"]');
      await page.waitForFunction(() => document.querySelector('.attention') !== null && document.querySelector('[data-kind="negative"]') === null, { timeout: 10_000 });
      const { items } = await env.api.inventory.bySkus.query({ skus: ['DEMO-CANDLE-LAV'] });
      expect(items[0]?.sources.find((s) => s.sourceId === mf)?.available).toBe(0);
      expect((await env.api.search.attention.query()).counts.negatives).toBe(0);
      await badgeFollowsServer();

      // A new negative on the server: the badge and the open popup follow, live.
      const before = await badgeText();
      await env.api.orders.ingest.mutate({
        channelId: env.demo.channelIds.ebay,
        externalOrderId: `E2E-POPUP-${kind}`,
        placedAt: new Date().toISOString(),
        shipTo: { country: 'US' },
        lines: [{ externalLineId: '1', channelSku: 'DEMO-CANDLE-LAV', quantity: 1 }],
      });
      await page.waitForSelector('[data-kind="negative"][data-sku="DEMO-CANDLE-LAV"]', { timeout: 10_000 });
      await badgeFollowsServer();
      expect(Number(await badgeText())).toBe(Number(before || 0) + 1);
      expect(await page.$eval('[data-part="freshness"]', (el) => el.textContent)).toBe('live');
    } finally {
      await page.close();
    }
  });

  it('sets a quantity after confirmation: a double click writes one ledger entry; the detail charts the history', async () => {
    const sku = 'DEMO-BOTTLE-750';
    const mf = env.demo.sourceIds.MF;
    const before = (await env.api.inventory.history.query({ sku, sourceId: mf, limit: 200 })).entries.length;
    const page = await connectedPopup();
    try {
      expect(await search(page, 'bottle')).toEqual([sku]);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`.detail[data-sku="${sku}"] [data-part="history-chart"] circle title`, { timeout: 10_000 });
      const explained = await page.$eval('[data-part="history-chart"] circle title', (el) => el.textContent ?? '');
      expect(explained).toMatch(/stock count.*on hand at MF → 55 · by /);
      await page.click('[data-action="open-set"]');
      const input = await page.waitForSelector('input[name=onHand]');
      await input?.click({ count: 3 });
      await page.keyboard.type('42');
      await page.click('[data-action="review"]');
      await page.waitForSelector('[data-action="confirm"]');
      expect(await page.$eval('[data-part="confirm-text"]', (el) => el.textContent)).toBe(`Set MF on hand of ${sku} from 55 to 42?`);
      // Two clicks in one go, before the popup can disable the button.
      await page.$eval('[data-action="confirm"]', (button) => {
        (button as HTMLButtonElement).click();
        (button as HTMLButtonElement).click();
      });
      await page.waitForFunction(() => document.querySelector('[data-part="action-result"]')?.textContent === 'Done.', { timeout: 10_000 });
      const after = await env.api.inventory.history.query({ sku, sourceId: mf, limit: 200 });
      expect(after.entries.length - before).toBe(1);
      expect(after.entries[0]).toMatchObject({ delta: -13, balanceAfter: 42, bucket: 'on_hand' });
      await page.waitForFunction(() => document.querySelector('.detail [data-source="MF"] [data-part="available"]')?.textContent === '42', { timeout: 10_000 });
    } finally {
      await page.close();
    }
  });

  it("shows a SKU's open orders with the routing reason in words and the trace on demand; sending one to the FC updates it", async () => {
    const sku = 'DEMO-CANDLE-LAV';
    // eBay sells from Deliverr then MF; Deliverr's auto-fulfill is off, so MF takes the line (design reason 1).
    const placed = await env.api.orders.ingest.mutate({
      channelId: env.demo.channelIds.ebay,
      externalOrderId: `E2E-ORDERS-${kind}`,
      placedAt: new Date().toISOString(),
      shipTo: { country: 'US' },
      lines: [{ externalLineId: '1', channelSku: sku, quantity: 2 }],
    });
    const line = placed.lines[0]!;
    expect(line).toMatchObject({ reason: 'AUTO_FULFILL_OFF', sourceId: env.demo.sourceIds.MF });
    const page = await connectedPopup();
    try {
      expect(await search(page, 'candle')).toEqual([sku]);
      await page.keyboard.press('Enter');
      const item = `[data-part="open-orders"] [data-order="${placed.orderId}"][data-line="${line.lineId}"]`;
      await page.waitForSelector(`${item}[data-reason="AUTO_FULFILL_OFF"]`, { timeout: 10_000 });
      const shown = await page.$eval(item, (el) => ({
        id: el.querySelector('[data-part="order-id"]')?.textContent,
        head: el.querySelector('.result-head')?.textContent ?? '',
        allocation: el.querySelector('[data-part="allocation"]')?.textContent,
        reason: el.querySelector('[data-part="reason"]')?.textContent ?? '',
        traceOpen: (el.querySelector('details[data-part="trace"]') as HTMLDetailsElement | null)?.open,
      }));
      expect(shown).toMatchObject({ id: `E2E-ORDERS-${kind}`, allocation: '2 from MF · fallback', traceOpen: false });
      expect(shown.head).toContain('Ebay US');
      expect(shown.reason).toContain('auto-fulfill is off: MF, the default source, took it');
      // Every open order of the SKU is listed, the demo's own too; none of another SKU.
      const { orders } = await env.api.orders.list.query({ sku, status: 'open' });
      const lineIds = orders.flatMap((o) => o.lines.filter((l) => l.sku === sku).map((l) => l.lineId));
      expect(await page.$$eval('[data-part="open-orders"] [data-line]', (els) => els.map((el) => el.getAttribute('data-line')))).toEqual(lineIds);

      // The trace, on demand: why Deliverr was passed over.
      await page.click(`${item} summary`);
      const trace = await page.$$eval(`${item} [data-part="trace"] li`, (els) => els.map((el) => el.textContent));
      expect(trace).toContain('Deliverr: auto-fulfill is off');

      await page.click(`${item} [data-action="send-to-fc"]`);
      await page.waitForSelector(`${item}[data-reason="ROUTED_TO_FULFILLMENT_CENTER"]`, { timeout: 10_000 });
      expect(await page.$eval(`${item} [data-part="allocation"]`, (el) => el.textContent)).toBe('2 from Deliverr');
      const order = await env.api.orders.get.query({ orderId: placed.orderId });
      expect(order.lines[0]).toMatchObject({ sourceId: env.demo.sourceIds.Deliverr, reason: 'ROUTED_TO_FULFILLMENT_CENTER' });
    } finally {
      await page.close();
    }
  });

  it('lists a listing whose portal page shows another quantity than onhand publishes; the badge counts it and follows when it is fixed', async () => {
    const amazonPage = savedPageCases.find((c) => c.portal === 'amazon' && c.drifting)!;
    const sku = amazonPage.rows[amazonPage.drifting!]!;
    const portal = await env.openSavedPage(amazonPage.url, amazonPage.html);
    const page = await connectedPopup();
    try {
      await waitForBadge(portal, amazonPage.drifting!, (b) => b.states.includes('drift'));
      await page.click('[data-tab="attention"]');
      const drift = `[data-kind="drift"][data-sku="${sku}"]`;
      await page.waitForSelector(drift, { timeout: 10_000 });
      const { counts, drifting } = await env.api.search.attention.query();
      // Every drifting row of the page is listed (the page's quantities are old: more than one drifts).
      expect(await page.$$eval('[data-kind="drift"]', (els) => els.map((el) => el.getAttribute('data-sku')).sort())).toEqual(drifting.map((d) => d.sku).sort());
      expect(counts.drifting).toBe(drifting.length);
      const item = drifting.find((d) => d.sku === sku)!;
      expect(item).toMatchObject({ marketplace: 'amazon', channelSku: sku });
      expect(await page.$eval(`${drift} [data-part="drift"]`, (el) => el.textContent)).toContain(`The page showed ${item.displayed}, onhand publishes ${item.published}`);
      await badgeFollowsServer();

      // Publish what the page shows (a maximum on the listing): that one drifts no more; the badge and the open popup follow.
      await env.api.listings.setRules.mutate({ listingId: item.listingId, max: item.displayed, idempotencyKey: `e2e-drift-max-${kind}` });
      // (Polled, not per animation frame: the popup page is not the focused tab here.)
      await page.waitForFunction((selector: string) => document.querySelector('.attention') !== null && document.querySelector(selector) === null, { timeout: 10_000, polling: 100 }, drift);
      expect((await env.api.search.attention.query()).counts.drifting).toBe(counts.drifting - 1);
      await badgeFollowsServer();
    } finally {
      await page.close();
      await portal.close();
    }
  });

  it('says clearly when the token is wrong, and the popup still works', async () => {
    const wrong = await connectExtension(env.session.browser, env.extensionId, { serverUrl: env.server.url, token: 'not-a-real-token' });
    expect(wrong.state).toBe('not-authorized');
    const page = await openPopup();
    try {
      await page.waitForSelector('.banner[data-problem="unauthorized"]', { timeout: 15_000 });
      expect(await page.$eval('.banner', (el) => el.textContent)).toContain('did not accept the token');
      await page.type('input[name=search]', 'mug');
      await page.waitForSelector('.search [data-problem="unauthorized"]', { timeout: 10_000 });
      await page.click('[data-tab="attention"]');
      await page.waitForSelector('[role="tabpanel"] [data-problem="unauthorized"]', { timeout: 10_000 });
      await expect.poll(badgeText, { timeout: 10_000 }).toBe('!');
    } finally {
      await page.close();
      const back = await connectExtension(env.session.browser, env.extensionId, { serverUrl: env.server.url, token: env.demo.sellerToken });
      expect(back.state).toBe('connected');
    }
  });
});

/**
 * Chromium stops an MV3 service worker after 30 s without extension events;
 * an open SSE stream does not count. The background keeps itself up while it
 * holds the live subscription, and a worker stopped anyway recounts and
 * resubscribes when it starts again. Nothing here attaches DevTools to the
 * worker: that alone would keep it alive.
 */
describe('the background worker past the 30 s idle stop (database: pglite)', () => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2eEnvironment('pglite');
  });
  afterAll(async () => {
    await env?.close();
  });

  /** An eBay order bigger than MF holds: MF goes negative for `sku` (one more thing needing attention). */
  const oversell = (sku: string, quantity: number, id: string) =>
    env.api.orders.ingest.mutate({
      channelId: env.demo.channelIds.ebay,
      externalOrderId: id,
      placedAt: new Date().toISOString(),
      shipTo: { country: 'US' },
      lines: [{ externalLineId: '1', channelSku: sku, quantity }],
    });

  it('keeps the toolbar badge live while the browser sits idle for longer than 30 s', async () => {
    await badgeFollowsServerIn(env);
    const before = Number(await readBadge(env));
    // Nobody talks to the extension for 40 s.
    await new Promise((resolve) => setTimeout(resolve, 40_000));
    await oversell('DEMO-TEE-M-BLK', 5, 'E2E-IDLE-1');
    await badgeFollowsServerIn(env);
    expect(Number(await readBadge(env))).toBe(before + 1);
  });

  it('after Chromium stops the worker anyway, its next start recounts the badge and the badge is live again', async () => {
    const isWorker = (t: Target) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${env.extensionId}/`);
    const target = await env.session.browser.waitForTarget(isWorker);
    const stopped = new Promise<void>((resolve) => env.session.browser.on('targetdestroyed', (t: Target) => isWorker(t) && resolve()));
    await (await target.worker())?.close();
    await stopped;
    await oversell('DEMO-BOTTLE-750', 100, 'E2E-STOPPED-1'); // a change the stopped worker cannot hear
    const popup = await env.session.browser.newPage();
    try {
      await popup.goto(`chrome-extension://${env.extensionId}/popup.html`); // wakes the worker
      await badgeFollowsServerIn(env);
    } finally {
      await popup.close();
    }
    const before = Number(await readBadge(env));
    await env.api.inventory.setQuantity.mutate({ sku: 'DEMO-BOTTLE-750', sourceId: env.demo.sourceIds.MF, onHand: 100, idempotencyKey: 'e2e-stopped-fix' });
    await badgeFollowsServerIn(env);
    expect(Number(await readBadge(env))).toBe(before - 1);
  });
});
