import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startE2eEnvironment } from '../support/e2e-environment';
import { savedPageCases } from '../support/saved-page-expectations';

/**
 * `pnpm screenshots [overlay|popup]`: the overlay on one saved page of each
 * portal and the popup (search, a SKU's detail with its chart and its open
 * orders, needs attention), with the real extension and a real (embedded)
 * demo server, into docs/screenshots/ for the README. Without an argument,
 * both sets.
 */
const outDir = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const wanted = new Set(process.argv.slice(2).filter((a) => a !== '--'));
const take = (set: 'overlay' | 'popup') => wanted.size === 0 || wanted.has(set);
const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));
const file = (name: string) => join(outDir, `${name}.png`) as `${string}.png`;

const env = await startE2eEnvironment('pglite');
try {
  const seen = new Set<string>();
  for (const saved of savedPageCases) {
    // The Amazon page also tells the server which listings drift (the popup's "needs attention" shows them).
    if (seen.has(saved.portal) || (!take('overlay') && saved.portal !== 'amazon')) continue;
    seen.add(saved.portal);
    const page = await env.openSavedPage(saved.url, saved.html);
    await page.setViewport({ width: 1280, height: 720 });
    await page.waitForSelector('[data-onhand-row][data-onhand-state]', { timeout: 15_000 });
    await settle(800);
    if (take('overlay')) await page.screenshot({ path: file(`overlay-${saved.portal}`) });
    await page.close();
  }
  if (take('popup')) {
    const popup = await env.session.browser.newPage();
    await popup.setViewport({ width: 360, height: 600 });
    await popup.goto(`chrome-extension://${env.extensionId}/popup.html`);
    await popup.waitForSelector('[data-part="tenant"]');
    // Search as a seller types it, then the second result's detail (the candle: its chart, then its open order).
    await popup.keyboard.type('demo');
    await settle();
    await popup.screenshot({ path: file('popup-search') });
    await popup.keyboard.press('ArrowDown');
    await popup.keyboard.press('Enter');
    await popup.waitForSelector('[data-part="open-orders"] [data-order]', { timeout: 15_000 });
    await settle();
    await popup.screenshot({ path: file('popup-detail') });
    await popup.click('[data-part="open-orders"] [data-order] summary');
    await popup.$eval('[data-part="open-orders"]', (el) => el.scrollIntoView({ block: 'start' }));
    await settle(500);
    await popup.screenshot({ path: file('popup-orders') });
    await popup.click('[data-tab="attention"]');
    await popup.waitForSelector('[data-kind="drift"]', { timeout: 15_000 });
    await settle();
    await popup.screenshot({ path: file('popup-attention') });
  }
  process.stdout.write(`screenshots written to ${outDir}\n`);
} finally {
  await env.close();
}
