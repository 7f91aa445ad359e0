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
  /** "Listed 58 live", or null when nothing is published. */
  published: string | null;
  /** "Page shows 12" when the page's quantity drifts from the published one. */
  drift: string | null;
  /** The actions the badge offers (`data-action` of its buttons). */
  actions: string[];
  text: string;
}

/** A badge host anywhere on the page, through open shadow roots (`pierce/`). */
export function badgeHostSelector(rowKey: string): string {
  return `pierce/[data-onhand-row="${cssString(rowKey)}"]`;
}

/**
 * Waits for one row's badge (found by its `data-onhand-row` host, also
 * inside the page's shadow roots) until `accept` likes it, and returns it.
 */
export async function waitForBadge(
  page: Page,
  rowKey: string,
  accept: (badge: BadgeReading) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<BadgeReading> {
  const deadline = Date.now() + timeoutMs;
  let last: BadgeReading | null = null;
  for (;;) {
    const host = await page.$(badgeHostSelector(rowKey));
    if (host) {
      last = await host.evaluate((hostElement) => {
        const badge = hostElement.shadowRoot?.querySelector('.badge');
        if (!badge) return null;
        const clean = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
        return {
          states: (hostElement.getAttribute('data-onhand-state') ?? '').split(' ').filter(Boolean),
          sources: [...badge.querySelectorAll('[data-source]')].map((s) => clean(s.textContent)),
          published: badge.querySelector('[data-part="published"]') ? clean(badge.querySelector('[data-part="published"]')?.textContent) : null,
          drift: badge.querySelector('[data-part="drift"]') ? clean(badge.querySelector('[data-part="drift"]')?.textContent) : null,
          actions: [...badge.querySelectorAll('button[data-action]')].map((b) => b.getAttribute('data-action') ?? ''),
          text: clean(badge.textContent),
        };
      });
      await host.dispose();
      if (last && accept(last)) return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`badge for row ${rowKey} ${last ? `never matched; last seen: ${JSON.stringify(last)}` : 'never appeared'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** All badge hosts on the page (also inside shadow roots), by row key; a row with two badges shows up twice. */
export async function badgeRowKeys(page: Page): Promise<string[]> {
  const hosts = await page.$$('pierce/[data-onhand-row]');
  const keys = await Promise.all(hosts.map((h) => h.evaluate((el) => el.getAttribute('data-onhand-row') ?? '')));
  await Promise.all(hosts.map((h) => h.dispose()));
  return keys;
}

/** Clicks a button inside a row's badge (its shadow root), e.g. `[data-action="import"]`. */
export async function clickInBadge(page: Page, rowKey: string, buttonSelector: string): Promise<void> {
  const host = await page.waitForSelector(badgeHostSelector(rowKey));
  const clicked = await host?.evaluate((el, selector) => {
    const button = el.shadowRoot?.querySelector<HTMLButtonElement>(selector);
    button?.click();
    return Boolean(button);
  }, buttonSelector);
  await host?.dispose();
  if (!clicked) throw new Error(`no ${buttonSelector} in the badge of ${rowKey}`);
}

/** The page summary's text, once it shows. */
export async function summaryText(page: Page): Promise<string> {
  const host = await page.waitForSelector('[data-onhand-summary]');
  const text = await host?.evaluate((el) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim());
  await host?.dispose();
  return text ?? '';
}

function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
