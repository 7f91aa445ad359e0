import { testDatabaseKinds } from '@onhand/server/testing';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumExecutable } from '../support/browser';
import { serverSources, startE2eEnvironment, type E2eEnvironment } from '../support/e2e-environment';
import { builtExtensionDir, connectExtension } from '../support/extension';

/**
 * The toolbar popup, end to end: the built extension's popup.html opened as
 * a page, against a real server with the demo tenant. Search, the
 * needs-attention list and its remedies, an idempotent quick action, the
 * toolbar badge following the server, and a wrong token.
 */
builtExtensionDir();
chromiumExecutable();

type ChromeAction = { action: { getBadgeText(details: object): Promise<string> } };

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

  async function badgeText(): Promise<string> {
    const target = await env.session.browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(`chrome-extension://${env.extensionId}/`));
    const worker = await target.worker();
    if (!worker) throw new Error('no service worker');
    return worker.evaluate(() => (globalThis as unknown as { chrome: ChromeAction }).chrome.action.getBadgeText({}));
  }

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

  /** What the toolbar badge must show: the server's count of things needing attention (empty at zero). */
  async function expectedBadge(): Promise<string> {
    const { total } = (await env.api.search.attention.query()).counts;
    return total > 0 ? String(total) : '';
  }

  async function badgeFollowsServer(): Promise<void> {
    await expect.poll(async () => (await badgeText()) === (await expectedBadge()), { timeout: 15_000 }).toBe(true);
  }

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
