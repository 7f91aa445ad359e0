import { randomUUID } from 'node:crypto';
import type { TRPCClient } from '@trpc/client';
import type { AppRouter, RunningServer } from '@onhand/server';
import { testDatabaseKinds } from '@onhand/server/testing';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amazonFixtures, readAmazonFixture, type AmazonFixtureName } from '../../extension/portals/amazon/fixture-pages';
import { chromiumExecutable, type BrowserSession } from '../support/browser';
import { startE2eEnvironment, type E2eEnvironment } from '../support/e2e-environment';
import { badgeRowKeys, builtExtensionDir, connectExtension, waitForBadge } from '../support/extension';

/**
 * The walking skeleton, end to end: a quantity in the server's database shows
 * up in a badge on a saved Seller Central page, inside the built extension in
 * real Chromium, and follows a change made through the API.
 */
// Checked while the file loads, so a missing build or browser fails the run
// as an error instead of showing up as skipped tests.
builtExtensionDir();
chromiumExecutable();

const demoSkus = ['DEMO-MUG-11OZ', 'DEMO-TEE-M-BLK', 'DEMO-CANDLE-LAV', 'DEMO-BOTTLE-750'];
const untrackedSku = 'LEGACY-UNTRACKED-1';

describe.each(testDatabaseKinds())('Amazon Seller Central badges (database: %s)', (kind) => {
  // The shared end-to-end world: a fresh database with the demo tenant, the
  // server, Chromium with the built extension connected to it.
  let env: E2eEnvironment;
  let server: RunningServer;
  let session: BrowserSession;
  let extensionId: string;
  let api: TRPCClient<AppRouter>;
  let token: string;

  beforeAll(async () => {
    env = await startE2eEnvironment(kind);
    ({ server, session, extensionId, api } = env);
    token = env.demo.sellerToken;
  });

  afterAll(async () => env?.close());

  /** What each demo row's badge must say, straight from the server. */
  async function serverBadges(): Promise<Map<string, { sources: string[] }>> {
    const { items, unknownSkus } = await api.inventory.bySkus.query({ skus: [...demoSkus, untrackedSku] });
    expect(unknownSkus).toEqual([untrackedSku]);
    return new Map(items.map((item) => [item.sku, { sources: item.sources.map((s) => `${s.sourceName} ${s.available}`) }]));
  }

  const openSavedPage = (name: AmazonFixtureName): Promise<Page> => env.openSavedPage(amazonFixtures[name].url, readAmazonFixture(name));

  async function expectServerQuantities(page: Page, skus: string[]): Promise<void> {
    const expected = await serverBadges();
    for (const sku of skus) {
      const want = expected.get(sku);
      if (!want) throw new Error(`the server does not know ${sku}`);
      const badge = await waitForBadge(page, sku, (b) => b.states.includes('tracked') && b.sources.join('|') === want.sources.join('|'));
      expect(badge.states, sku).not.toContain('stale');
    }
  }

  it('shows the server quantities per source on every listing row, and only there', async () => {
    const page = await openSavedPage('manageInventory');
    try {
      await expectServerQuantities(page, demoSkus);
      // The seed's own numbers, so a badge that merely mirrors the API shape cannot pass by accident.
      const mug = await waitForBadge(page, 'DEMO-MUG-11OZ');
      expect(mug.sources).toEqual(['MF 12', 'FBA 40', 'Deliverr 6']);
      // The Amazon demo channel sells from all three sources; the page shows 12, so that drifts.
      expect(mug.published).toMatch(/^Listed 58\b/);
      expect(mug.states).toContain('drift');
      expect(mug.drift).toBe('Page shows 12');

      // onhand did not know it: reported once, it comes back as an untracked listing to import.
      const untracked = await waitForBadge(page, untrackedSku, (b) => b.states.includes('untracked'));
      expect(untracked.text).toContain('Not managed by onhand');
      expect(untracked.actions).toEqual(['import']);
      expect(untracked.sources).toEqual([]);

      expect((await badgeRowKeys(page)).sort()).toEqual([...demoSkus, untrackedSku].sort());
      expect(await page.$('[data-testid="table-summary"] [data-onhand-row]')).toBeNull();
      // Each badge sits in its own row, next to the SKU.
      const placement = await page.$$eval('[data-onhand-row]', (hosts) =>
        hosts.map((h) => [h.getAttribute('data-onhand-row'), h.closest('[data-sku]')?.getAttribute('data-sku')]),
      );
      for (const [key, owner] of placement) expect(owner).toBe(key);
    } finally {
      await page.close();
    }
  });

  it('shows a quantity changed through the API after a reload', async () => {
    const page = await openSavedPage('manageInventory');
    try {
      await waitForBadge(page, 'DEMO-TEE-M-BLK', (b) => b.states.includes('tracked'));
      const sourceId = server.demo?.sourceIds.MF ?? '';
      await api.inventory.setQuantity.mutate({ sku: 'DEMO-TEE-M-BLK', sourceId, onHand: 41, idempotencyKey: randomUUID() });
      await page.reload({ waitUntil: 'load' });
      const tee = await waitForBadge(page, 'DEMO-TEE-M-BLK', (b) => b.sources.includes('MF 41'));
      expect(tee.sources[0]).toBe('MF 41');
      await expectServerQuantities(page, ['DEMO-TEE-M-BLK']);
    } finally {
      await page.close();
    }
  });

  it('badges rows that arrive late and keeps exactly one badge per row through a re-render', async () => {
    const page = await openSavedPage('manageInventoryLateRows');
    try {
      await expectServerQuantities(page, demoSkus);
      await waitForBadge(page, untrackedSku, (b) => b.states.includes('untracked'));
      const before = await page.$$eval('[data-onhand-row]', (hosts) => hosts.map((h) => h.getAttribute('data-onhand-row')));

      // Sorting re-renders every row as new elements and changes the URL with pushState.
      await page.click('#sort-by-sku');
      await page.waitForFunction(() => location.search.includes('sort=sku_asc'));
      await page.waitForFunction(
        (expected: number) => {
          const hosts = [...document.querySelectorAll('[data-onhand-row]')];
          const listings = [...document.querySelectorAll('[data-sku]')];
          return (
            hosts.length === expected &&
            listings.every((row) => row.querySelectorAll('[data-onhand-row]').length === 1)
          );
        },
        { timeout: 10_000 },
        before.length,
      );
      const after = await page.$$eval('[data-onhand-row]', (hosts) => hosts.map((h) => h.getAttribute('data-onhand-row')));
      expect(after).toEqual([...before].reverse());
      await expectServerQuantities(page, demoSkus);
    } finally {
      await page.close();
    }
  });

  it('badges the classic Manage Inventory table on another country domain', async () => {
    const page = await openSavedPage('classicInventory');
    try {
      await expectServerQuantities(page, ['DEMO-MUG-11OZ', 'DEMO-CANDLE-LAV']);
      await waitForBadge(page, untrackedSku, (b) => b.states.includes('untracked'));
      expect((await badgeRowKeys(page)).sort()).toEqual(['DEMO-CANDLE-LAV', 'DEMO-MUG-11OZ', untrackedSku]);
      expect(await page.$('tr.mt-row-spacer [data-onhand-row]')).toBeNull();
    } finally {
      await page.close();
    }
  });

  it('popup shows the connected account', async () => {
    const page = await session.browser.newPage();
    try {
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      const status = await page.waitForSelector('[data-connection="connected"] [data-part="tenant"]');
      expect(await status?.evaluate((el) => el.textContent)).toBe('Demo seller');
    } finally {
      await page.close();
    }
  });

  it('says clearly when the token is wrong or the server is unreachable, then reconnects', async () => {
    const wrongToken = await connectExtension(session.browser, extensionId, { serverUrl: server.url, token: 'not-a-real-token' });
    expect(wrongToken.state).toBe('not-authorized');
    expect(wrongToken.text).toContain('did not accept the token');

    const page = await openSavedPage('manageInventory');
    try {
      const badge = await waitForBadge(page, 'DEMO-MUG-11OZ', (b) => b.states.includes('stale'));
      expect(badge.text).toContain('did not accept the token');
    } finally {
      await page.close();
    }

    const unreachable = await connectExtension(session.browser, extensionId, { serverUrl: 'http://127.0.0.1:9', token });
    expect(unreachable.state).toBe('unreachable');
    expect(unreachable.text).toContain('cannot be reached');

    const restored = await connectExtension(session.browser, extensionId, { serverUrl: server.url, token });
    expect(restored.state).toBe('connected');
  });
});
