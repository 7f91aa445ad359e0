import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseKind, type OpenedDatabase } from './db/connect';
import type { Database } from './db/database';
import { migrateToLatest } from './db/migrate';
import { platformScope } from './db/scope';

/**
 * Test support shared by the server's tests and the end-to-end suite. Every
 * database test runs on embedded PGlite, and on PostgreSQL too when
 * TEST_DATABASE_URL is set. In CI PostgreSQL is required: a missing
 * TEST_DATABASE_URL fails the run instead of silently testing less.
 */
export function testDatabaseKinds(): DatabaseKind[] {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI) throw new Error('CI must test on PostgreSQL: set TEST_DATABASE_URL');
  return url ? ['pglite', 'postgres'] : ['pglite'];
}

/** initdb is slow (~6 s): do it once, migrate, and dump the directory to a file. */
export async function writePgliteTemplate(file: string): Promise<void> {
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  const dump = await pglite.dumpDataDir('gzip');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  await db.destroy();
}

export async function readPgliteTemplate(file: string): Promise<Blob> {
  return new Blob([await readFile(file)]);
}

/** A fresh, migrated PostgreSQL database beside the one TEST_DATABASE_URL names. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  const name = `onhand_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const migrating = await openDatabase({ databaseUrl, poolSize: 1 });
  await migrateToLatest(migrating.db);
  await migrating.close();
  return {
    databaseUrl,
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface TestDatabase extends OpenedDatabase {
  /** Set for PostgreSQL: other processes (servers under test) can connect to it. */
  databaseUrl?: string;
}

/**
 * A fresh, migrated database of the given kind; `close` also drops it. Test
 * code reads it as the platform (an auditor sees every tenant's rows); the
 * code under test sets its own row-level-security scope, as in production.
 */
export async function openTestDatabase(kind: DatabaseKind, pgliteTemplate?: Blob): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const opened = await openDatabase({ inMemory: true, pgliteTemplate, defaultScope: platformScope });
    if (!pgliteTemplate) await migrateToLatest(opened.db);
    return opened;
  }
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const created = await createPostgresDatabase(baseUrl);
  const opened = await openDatabase({ databaseUrl: created.databaseUrl, poolSize: 40, defaultScope: platformScope });
  return {
    ...opened,
    databaseUrl: created.databaseUrl,
    close: async () => {
      await opened.close();
      await created.drop();
    },
  };
}

/** Test and benchmark code that reads or sets up rows directly does so as the platform. */
export { platformScope, withScope } from './db/scope';

/** A small deterministic PRNG, so a failing seed can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
