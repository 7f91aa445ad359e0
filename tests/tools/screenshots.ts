import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startE2eEnvironment } from '../support/e2e-environment';
import { savedPageCases } from '../support/saved-page-expectations';

/**
 * `pnpm screenshots`: the overlay on one saved page of each portal and the
 * popup, with the real extension and a real (embedded) demo server, into
 * docs/screenshots/ for the README.
 */
const outDir = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const env = await startE2eEnvironment('pglite');
try {
  const seen = new Set<string>();
  for (const saved of savedPageCases) {
    if (seen.has(saved.portal)) continue;
    seen.add(saved.portal);
    const page = await env.openSavedPage(saved.url, saved.html);
    await page.setViewport({ width: 1280, height: 720 });
    await page.waitForSelector('[data-onhand-row][data-onhand-state]', { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 800));
    await page.screenshot({ path: join(outDir, `overlay-${saved.portal}.png`) as `${string}.png` });
    await page.close();
  }
  const popup = await env.session.browser.newPage();
  await popup.setViewport({ width: 360, height: 600 });
  await popup.goto(`chrome-extension://${env.extensionId}/popup.html`);
  await new Promise((r) => setTimeout(r, 1500));
  await popup.screenshot({ path: join(outDir, 'popup.png') as `${string}.png` });
  // Search as a seller types it, then the first result's detail.
  await popup.keyboard.type('demo');
  await new Promise((r) => setTimeout(r, 1500));
  await popup.screenshot({ path: join(outDir, 'popup-search.png') as `${string}.png` });
  await popup.keyboard.press('ArrowDown');
  await popup.keyboard.press('Enter');
  await new Promise((r) => setTimeout(r, 1500));
  await popup.screenshot({ path: join(outDir, 'popup-detail.png') as `${string}.png` });
  process.stdout.write(`screenshots written to ${outDir}\n`);
} finally {
  await env.close();
}
