import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerPort } from '@onhand/shared';
import { startServer } from './http/server';
import { createLogger } from './logger';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrate';
import { startSimulator } from './marketplace/simulator';
import { simulatorConnectors } from './marketplace/simulator-accounts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `onhand serve` (what `pnpm start` runs) and `onhand migrate`; every other
 * command is the admin/import CLI (src/cli), which talks to a running server. Configuration
 * comes from the environment: PORT, HOST, DATABASE_URL (PostgreSQL; without
 * it the embedded database in ONHAND_DATA_DIR, default ./.onhand/data),
 * ONHAND_ADMIN_TOKEN, ONHAND_MARKETPLACE_URL, LOG_LEVEL.
 */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  if (command !== 'serve' && command !== 'migrate') {
    // Every other command talks to a running server (tenants, tokens, reconcile, import, export, --help).
    const { runCli } = await import('./cli/main');
    process.exitCode = await runCli(process.argv.slice(2));
    return;
  }
  const log = createLogger();
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const dataDir = process.env.ONHAND_DATA_DIR ?? join(repoRoot, '.onhand', 'data');

  if (command === 'migrate') {
    const database = await openDatabase({ databaseUrl, dataDir });
    const applied = await migrateToLatest(database.db);
    await database.close();
    log.info({ applied }, applied.length ? 'migrations applied' : 'database already up to date');
    return;
  }

  const port = Number(process.env.PORT ?? defaultServerPort);
  // Published quantities go to ONHAND_MARKETPLACE_URL; without it, to a
  // marketplace simulator started here (ONHAND_MARKETPLACE_URL=none: nowhere).
  let marketplaceUrl = process.env.ONHAND_MARKETPLACE_URL;
  let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
  const webhookSecret = randomBytes(32).toString('base64url');
  if (!marketplaceUrl) {
    simulator = await startSimulator({ port: Number(process.env.ONHAND_SIMULATOR_PORT ?? port + 1) });
    marketplaceUrl = simulator.url;
    log.info({ url: simulator.url }, 'marketplace simulator listening');
  }
  const server = await startServer({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    databaseUrl,
    dataDir,
    seedDemo: process.env.ONHAND_SEED_DEMO !== 'false',
    adminToken: process.env.ONHAND_ADMIN_TOKEN || undefined,
    logger: log,
    connectorFor: marketplaceUrl === 'none' ? undefined : simulatorConnectors(marketplaceUrl),
    simulatorWebhookSecret: simulator ? webhookSecret : undefined,
  });
  // The local simulator's orders come back to this server, as a marketplace's would.
  if (simulator) {
    await fetch(`${simulator.url}/admin/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ webhookUrl: `${server.url}/webhooks/simulator`, webhookHeaders: { Authorization: `Bearer ${webhookSecret}` } }),
    });
  }
  log.info({ url: server.url, database: server.databaseKind, location: server.databaseLocation }, 'onhand server listening');
  printWelcome(server.url, server.demo?.sellerToken, server.databaseKind === 'pglite' ? dirname(dataDir) : undefined);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    Promise.all([server.close(), simulator?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The demo token is shown once by the server; for the local demo it is also
 * kept (mode 600) beside the embedded data so a restart can show it again.
 */
function printWelcome(url: string, newDemoToken: string | undefined, localStateDir: string | undefined): void {
  let token = newDemoToken;
  const tokenFile = localStateDir ? join(localStateDir, 'demo-token') : undefined;
  if (tokenFile && newDemoToken) {
    mkdirSync(dirname(tokenFile), { recursive: true });
    writeFileSync(tokenFile, newDemoToken, { mode: 0o600 });
  } else if (tokenFile && existsSync(tokenFile)) {
    token = readFileSync(tokenFile, 'utf8').trim();
  }
  const extensionDir = join(repoRoot, 'extension', '.output', 'chrome-mv3');
  const lines = [
    '',
    `onhand is running at ${url}`,
    token ? `Demo seller token: ${token}` : 'No demo token here (the database was not empty); issue one with an admin token.',
    '',
    'Load the extension: open chrome://extensions, turn on Developer mode, "Load unpacked" and pick',
    `  ${extensionDir}`,
    `then open the extension's options, enter ${url} and the token above.`,
    'Stop with Ctrl+C.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`onhand: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
