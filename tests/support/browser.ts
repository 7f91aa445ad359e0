import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';

/**
 * The Chromium the browser tests drive: PUPPETEER_EXECUTABLE_PATH or
 * CHROME_PATH when set, else a system Chromium. No silent fallback and no
 * download: a missing browser fails the run with what to do about it.
 */
export function chromiumExecutable(): string {
  for (const variable of ['PUPPETEER_EXECUTABLE_PATH', 'CHROME_PATH'] as const) {
    const value = process.env[variable];
    if (!value) continue;
    if (!existsSync(value)) throw new Error(`${variable}=${value}, but there is no browser at that path`);
    return value;
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    'No Chromium for the browser tests: install one (`apt-get install -y chromium`) or set PUPPETEER_EXECUTABLE_PATH / CHROME_PATH',
  );
}

export interface BrowserSession {
  browser: Browser;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** Headless Chromium with one unpacked extension loaded, in a fresh profile. */
export async function launchWithExtension(extensionDir: string): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'onhand-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    // Without this puppeteer adds --disable-extensions and the extension silently does nothing.
    enableExtensions: true,
    userDataDir,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      try {
        await browser.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Serves saved pages at their real URLs: the page believes it is on the live
 * site (so the extension's content scripts match), while nothing leaves the
 * machine. Requests for anything else on the web are aborted and recorded.
 */
export async function servePages(page: Page, pages: Record<string, string>): Promise<{ blocked: string[] }> {
  const blocked: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    if (request.isInterceptResolutionHandled()) return;
    const url = request.url();
    const html = pages[url.split('#')[0] ?? url];
    if (html !== undefined) {
      void request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      return;
    }
    if (/^(data|blob|chrome-extension|about):/.test(url)) {
      void request.continue();
      return;
    }
    blocked.push(url);
    void request.abort('blockedbyclient');
  });
  return { blocked };
}
