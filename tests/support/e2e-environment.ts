import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import { startServer, type AppRouter, type DemoTenant, type RunningServer } from '@onhand/server';
import { createPostgresDatabase } from '@onhand/server/testing';
import type { Page } from 'puppeteer-core';
import { launchWithExtension, servePages, type BrowserSession } from './browser';
import { builtExtensionDir, connectExtension, extensionIdOf } from './extension';

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * One end-to-end world: a real server on a fresh database with the demo
 * tenant, a seller API client, and Chromium with the built extension
 * connected to that server. One per test file; pages are opened per test.
 */
export interface E2eEnvironment {
  server: RunningServer;
  demo: DemoTenant;
  api: TRPCClient<AppRouter>;
  session: BrowserSession;
  extensionId: string;
  /** Opens a saved page at its real URL (the extension's content scripts match it). */
  openSavedPage(url: string, html: string): Promise<Page>;
  /** Stops the server (as if it went down) and starts it again on the same database and port. */
  restartServer(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startE2eEnvironment(kind: DatabaseKind): Promise<E2eEnvironment> {
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    let databaseUrl: string | undefined;
    let dataDir: string | undefined;
    if (kind === 'postgres') {
      const created = await createPostgresDatabase(process.env.TEST_DATABASE_URL ?? '');
      databaseUrl = created.databaseUrl;
      cleanups.push(created.drop);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'onhand-e2e-'));
      dataDir = join(dir, 'data');
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    }
    let server = await startServer({ port: 0, databaseUrl, dataDir, seedDemo: true, logLevel: 'warn' });
    const serverCleanup = { close: () => server.close() };
    cleanups.push(() => serverCleanup.close());
    const demo = server.demo;
    if (!demo) throw new Error('the server did not seed the demo tenant into a fresh database');
    const api = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${server.url}/trpc`, headers: { Authorization: `Bearer ${demo.sellerToken}` } })],
    });

    const session = await launchWithExtension(builtExtensionDir());
    cleanups.push(() => session.close());
    const extensionId = await extensionIdOf(session.browser);
    const connection = await connectExtension(session.browser, extensionId, { serverUrl: server.url, token: demo.sellerToken });
    if (connection.state !== 'connected') throw new Error(`the extension did not connect: ${connection.text}`);

    return {
      get server() {
        return server;
      },
      demo,
      api,
      session,
      extensionId,
      async openSavedPage(url, html) {
        const page = await session.browser.newPage();
        await servePages(page, { [url]: html });
        await page.goto(url, { waitUntil: 'load' });
        return page;
      },
      async restartServer(whileDown) {
        const port = Number(new URL(server.url).port);
        await server.close();
        await whileDown?.();
        server = await startServer({ port, databaseUrl, dataDir, seedDemo: false, logLevel: 'warn' });
      },
      async close() {
        // Browser first (it holds connections to the server), then server, then database.
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw error;
  }
}

/** "MF 12", "FBA 40", … for a SKU, straight from the server: what its badge must say. */
export async function serverSources(api: TRPCClient<AppRouter>, sku: string): Promise<string[]> {
  const { items } = await api.inventory.bySkus.query({ skus: [sku] });
  const item = items[0];
  if (!item) throw new Error(`the server does not know ${sku}`);
  return item.sources.map((s) => `${s.sourceName} ${s.available}`);
}
