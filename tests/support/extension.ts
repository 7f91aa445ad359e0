import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The extension as `pnpm run build:extension` left it. The tests never build
 * it themselves, so they always run what ships; a missing build is an error.
 */
export function builtExtensionDir(): string {
  const dir = join(workspaceRoot, 'extension', '.output', 'chrome-mv3');
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`No built extension at ${dir}: run \`pnpm run build:extension\` before the e2e tests`);
  }
  return dir;
}

/** The loaded extension's id, from its service worker (it depends on the build folder's path). */
export async function extensionIdOf(browser: Browser): Promise<string> {
  const worker = await browser.waitForTarget(
    (target) => target.type() === 'service_worker' && target.url().startsWith('chrome-extension://'),
    { timeout: 20_000 },
  );
  return new URL(worker.url()).host;
}

export type ConnectionState = 'connected' | 'not-authorized' | 'unreachable' | 'error';

/**
 * Connects the extension to a server the way a person does: the options page
 * form. Returns the connection state the page shows after saving.
 */
export async function connectExtension(
  browser: Browser,
  extensionId: string,
  settings: { serverUrl: string; token: string },
): Promise<{ state: ConnectionState; text: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(`chrome-extension://${extensionId}/options.html`);
    // The form is filled from storage once loaded; wait for that before typing over it.
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('input[name=serverUrl]')?.value !== '');
    await page.locator('input[name=serverUrl]').fill(settings.serverUrl);
    await page.locator('input[name=token]').fill(settings.token);
    const before = Number(await page.$eval('form', (form) => form.getAttribute('data-save-count') ?? '0'));
    await page.locator('form button[type=submit]').click();
    await page.waitForSelector(`form[data-save-count="${before + 1}"]`, { timeout: 20_000 });
    const status = await page.waitForSelector('form ~ .status:not([data-connection="checking"])', { timeout: 20_000 });
    if (!status) throw new Error('the options page shows no connection status');
    return status.evaluate((el) => ({
      state: el.getAttribute('data-connection') as ConnectionState,
      text: el.textContent ?? '',
    }));
  } finally {
    await page.close();
  }
}

export interface BadgeReading {
  /** The host's `data-onhand-state` words. */
  states: string[];
  /** "MF 12" etc., one per source, in the badge's order. */
  sources: string[];
  total: string | null;
  text: string;
}

/**
 * Waits for one row's badge (found by its `data-onhand-row` host, through
 * the shadow root with `>>>`) until `accept` likes it, and returns it.
 */
export async function waitForBadge(
  page: Page,
  rowKey: string,
  accept: (badge: BadgeReading) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<BadgeReading> {
  const host = `[data-onhand-row="${cssString(rowKey)}"]`;
  const deadline = Date.now() + timeoutMs;
  let last: BadgeReading | null = null;
  for (;;) {
    const badge = await page.$(`${host} >>> .badge`);
    if (badge) {
      last = await badge.evaluate((el) => {
        const hostElement = (el.getRootNode() as ShadowRoot).host;
        return {
          states: (hostElement.getAttribute('data-onhand-state') ?? '').split(' ').filter(Boolean),
          sources: [...el.querySelectorAll('[data-source]')].map((s) => (s.textContent ?? '').replace(/\s+/g, ' ').trim()),
          total: el.querySelector('[data-part="total"]')?.textContent?.trim() ?? null,
          text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
        };
      });
      await badge.dispose();
      if (accept(last)) return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`badge for row ${rowKey} ${last ? `never matched; last seen: ${JSON.stringify(last)}` : 'never appeared'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** All badge hosts on the page, by row key (a row with two badges shows up twice). */
export async function badgeRowKeys(page: Page): Promise<string[]> {
  return page.$$eval('[data-onhand-row]', (hosts) => hosts.map((h) => h.getAttribute('data-onhand-row') ?? ''));
}

function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
