import { testDatabaseKinds } from '@onhand/server/testing';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumExecutable } from '../support/browser';
import { serverSources, startE2eEnvironment, type E2eEnvironment } from '../support/e2e-environment';
import { badgeHostSelector, builtExtensionDir, clickInBadge, summaryText, waitForBadge } from '../support/extension';
import { savedPageCases } from '../support/saved-page-expectations';

/**
 * What a seller does with the overlay, end to end: import an untracked
 * listing, see why a quantity is negative and fix it, watch an order arrive
 * without reloading, survive the server going away. Plus the security
 * promises: page text stays text, the page cannot reach the server or token.
 */
builtExtensionDir();
chromiumExecutable();

function savedPage(portal: string, name: string) {
  const found = savedPageCases.find((c) => c.portal === portal && c.name === name);
  if (!found) throw new Error(`no saved page ${portal} ${name}`);
  return found;
}

/** Marks the page so a test can tell it was never reloaded. */
async function markPage(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => ((window as unknown as { onhandTestMark: number }).onhandTestMark = 1));
  return () => page.evaluate(() => (window as unknown as { onhandTestMark?: number }).onhandTestMark === 1);
}

async function badgePart(page: Page, rowKey: string, selector: string): Promise<string | null> {
  const host = await page.$(badgeHostSelector(rowKey));
  const text = await host?.evaluate((el, s) => el.shadowRoot?.querySelector(s)?.textContent ?? null, selector);
  await host?.dispose();
  return text ?? null;
}

describe.each(testDatabaseKinds())('overlay actions (database: %s)', (kind) => {
  let env: E2eEnvironment;

  beforeAll(async () => {
    env = await startE2eEnvironment(kind);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('imports an untracked listing with one click: the badge turns tracked without a reload', async () => {
    const { url, html } = savedPage('amazon', 'manageInventory');
    const page = await env.openSavedPage(url, html);
    try {
      await waitForBadge(page, 'LEGACY-UNTRACKED-1', (b) => b.actions.includes('import'));
      const notReloaded = await markPage(page);
      expect(await summaryText(page)).toContain('1 untracked');
      await clickInBadge(page, 'LEGACY-UNTRACKED-1', '[data-action="import"]');
      const badge = await waitForBadge(page, 'LEGACY-UNTRACKED-1', (b) => b.states.includes('tracked'));
      expect(badge.actions).not.toContain('import');
      expect(badge.sources).toEqual(await serverSources(env.api, 'LEGACY-UNTRACKED-1'));
      expect(await notReloaded()).toBe(true);
      await expect.poll(() => summaryText(page)).toContain('0 untracked');
    } finally {
      await page.close();
    }
  });

  it('explains a negative with the server\'s causes, and a remedy fixes it', async () => {
    const { url, html } = savedPage('ebay', 'tbodyPerListing');
    const page = await env.openSavedPage(url, html);
    const candle = '284711900101';
    try {
      await waitForBadge(page, candle, (b) => b.states.includes('negative') && b.actions.includes('explain'));
      await clickInBadge(page, candle, '[data-action="explain"]');
      await page.waitForFunction(
        (selector) => document.querySelector(selector)?.shadowRoot?.querySelector('[data-remedy]') !== null,
        { timeout: 10_000 },
        `[data-onhand-row="${candle}"]`,
      );
      const explanation = await badgePart(page, candle, '[data-part="explanation"]');
      expect(explanation).toMatch(/MF -1 for DEMO-CANDLE-LAV/);
      await clickInBadge(page, candle, '[data-remedy="SEND_TO_FULFILLMENT_CENTER"]');
      const fixed = await waitForBadge(page, candle, (b) => !b.states.includes('negative'));
      expect(fixed.sources).toEqual(await serverSources(env.api, 'DEMO-CANDLE-LAV'));
    } finally {
      await page.close();
    }
  });

  it('updates an open page when an order is ingested on the server, without a reload', async () => {
    const { url, html } = savedPage('shopify', 'inventory');
    const page = await env.openSavedPage(url, html);
    const mugRow = '45000000000011';
    try {
      const before = await waitForBadge(page, mugRow, (b) => b.states.includes('tracked'));
      const notReloaded = await markPage(page);
      await env.api.orders.ingest.mutate({
        channelId: env.demo.channelIds.shopify,
        externalOrderId: `E2E-LIVE-${kind}`,
        placedAt: new Date().toISOString(),
        shipTo: { country: 'US' },
        lines: [{ externalLineId: '1', channelSku: 'DEMO-MUG-11OZ', quantity: 2 }],
      });
      const after = await serverSources(env.api, 'DEMO-MUG-11OZ');
      expect(after).not.toEqual(before.sources);
      await waitForBadge(page, mugRow, (b) => b.sources.join('|') === after.join('|'), 10_000);
      expect(await notReloaded()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it('keeps the last numbers marked stale with a message while the server is down, and recovers by itself', async () => {
    const { url, html } = savedPage('etsy', 'listings');
    const page = await env.openSavedPage(url, html);
    try {
      const before = await waitForBadge(page, '1500000001', (b) => b.states.includes('tracked'));
      await env.restartServer(async () => {
        const stale = await waitForBadge(page, '1500000001', (b) => b.states.includes('stale'), 20_000);
        expect(stale.sources).toEqual(before.sources);
        expect(await summaryText(page)).toContain('cannot be reached');
      });
      const back = await waitForBadge(page, '1500000001', (b) => !b.states.includes('stale'), 30_000);
      expect(back.sources).toEqual(before.sources);
      expect(await summaryText(page)).not.toContain('cannot be reached');
    } finally {
      await page.close();
    }
  });

  it('renders page text as text: a SKU that is markup stays a string', async () => {
    const { url, html } = savedPage('walmart', 'manageItems');
    const page = await env.openSavedPage(url, html);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      const hostile = '<img src=x onerror=alert(1)>';
      await waitForBadge(page, hostile, (b) => b.states.includes('untracked'));
      const imagesInOverlay = await page.$$eval('pierce/[data-onhand-row]', (hosts) => hosts.reduce((n, h) => n + (h.shadowRoot?.querySelectorAll('img').length ?? 0), 0));
      expect(imagesInOverlay).toBe(0);
      expect(dialogs).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('gives the page no way to the token or the server', async () => {
    const { url, html } = savedPage('amazon', 'classicInventory');
    const page = await env.openSavedPage(url, html);
    try {
      await waitForBadge(page, 'DEMO-MUG-11OZ', (b) => b.states.includes('tracked'));
      const reach = await page.evaluate(async (extensionId) => {
        const chromeApi = (globalThis as unknown as { chrome?: { runtime?: { sendMessage?: (...args: unknown[]) => Promise<unknown> } } }).chrome;
        let answer: unknown = 'no runtime';
        if (chromeApi?.runtime?.sendMessage) {
          try {
            answer = await chromeApi.runtime.sendMessage(extensionId, { type: 'listings.lookup', marketplace: 'amazon', rows: [{ key: 'A', channelSku: 'A' }] });
          } catch (error) {
            answer = `refused: ${String(error)}`;
          }
        }
        const everything = [document.documentElement.outerHTML, ...[...document.querySelectorAll('*')].map((el) => el.shadowRoot?.innerHTML ?? '')].join('');
        return { answer: JSON.stringify(answer ?? null), pageText: everything, storage: JSON.stringify({ ...localStorage }) };
      }, env.extensionId);
      expect(reach.answer).not.toContain('"ok":true');
      expect(reach.pageText).not.toContain(env.demo.sellerToken);
      expect(reach.storage).not.toContain(env.demo.sellerToken);
    } finally {
      await page.close();
    }
  });
});
