import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresDatabase } from '@onhand/server/testing';
import type { ServerDatabase } from './server-process';

/**
 * CI runs modest sizes (the whole faults project in about two to three
 * minutes on a 2-core machine); FAULTS_SOAK=1 runs many more events, kills
 * and cuts, for local runs. FAULTS_SEED replays a run's events.
 */
export const soak = process.env.FAULTS_SOAK === '1';
export const seed = Number(process.env.FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));

export const sizes = soak
  ? { sigkillEvents: 10_000, kills: { postgres: 60, pglite: 40 }, cutEvents: 10_000, cutWindows: 100, shutdownOrders: 2_000, shutdowns: 10 }
  : // An embedded restart (WASM PostgreSQL start and recovery) costs seconds: 10 kills there, 12 on PostgreSQL.
    { sigkillEvents: 1_000, kills: { postgres: 12, pglite: 10 }, cutEvents: 1_000, cutWindows: 16, shutdownOrders: 300, shutdowns: 2 };

/** How long one scenario may run before it counts as hung (a guard, not a speed target; the machine may be shared and slow). */
export const scenarioTimeoutMs = soak ? 4 * 3_600_000 : 900_000;

/** Senders in flight at once, as a marketplace's webhook deliveries would be. */
export const senders = 8;

export type DatabaseKind = 'postgres' | 'pglite';

/** PostgreSQL must be there (TEST_DATABASE_URL): a test that cannot run its real part fails, it does not skip. */
export function postgresBaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('the fault-injection tests on PostgreSQL need TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  return url;
}

/** The kinds the durability tests run on: embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is set (CI sets it). */
export function databaseKinds(): DatabaseKind[] {
  if (!process.env.TEST_DATABASE_URL && process.env.CI) throw new Error('CI must test on PostgreSQL: set TEST_DATABASE_URL');
  return process.env.TEST_DATABASE_URL ? ['postgres', 'pglite'] : ['pglite'];
}

/** A fresh database for one test (a new PostgreSQL database, or an empty PGlite data directory); `drop` removes it. */
export async function freshDatabase(kind: DatabaseKind): Promise<ServerDatabase & { drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const created = await whileClusterFull(() => createPostgresDatabase(postgresBaseUrl()));
    return { databaseUrl: created.databaseUrl, drop: created.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'onhand-faults-'));
  return { dataDir: join(dir, 'data'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The PostgreSQL cluster is shared (other test runs, benches): when it has no
 * connection slot left (53300), the harness's own connections wait for one
 * instead of failing the run. The server under test gets no such help.
 */
export async function whileClusterFull<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if ((error as { code?: unknown }).code !== '53300' || attempt >= 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** A connected client of the test harness (not of the server under test). */
export async function harnessClient(connectionString: string): Promise<pg.Client> {
  return whileClusterFull(async () => {
    const client = new pg.Client({ connectionString });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  });
}

/** One line of figures per run, printed for docs/reliability.md. */
export function printFigures(title: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`)
    .join(', ');
  process.stdout.write(`[faults] ${title}: ${text}\n`);
}
