import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, exitCodes } from './client';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface SeedDemoResult {
  tenantId: string;
  token: string;
  /** False when the demo tenant was there already (nothing was seeded again; the token is new). */
  created: boolean;
  database: string;
}

/**
 * `onhand seed-demo`: the demo tenant on the chosen database (PostgreSQL by
 * URL, else the embedded one in its data directory, as `serve` picks them),
 * migrated first. Works on the database directly, not through a server: it
 * is how a database gets its demo without starting on an empty one.
 */
export async function seedDemoCommand(options: { databaseUrl?: string | undefined; dataDir?: string | undefined }): Promise<SeedDemoResult> {
  // Loaded here: the other commands only talk HTTP and need none of this.
  const [{ openDatabase }, { migrateToLatest }, { platformScope }, { seedDemo }] = await Promise.all([
    import('../db/connect'),
    import('../db/migrate'),
    import('../db/scope'),
    import('../seed/demo'),
  ]);
  const dataDir = options.databaseUrl ? undefined : resolve(options.dataDir ?? join(repoRoot, '.onhand', 'data'));
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    // Seeding is the platform's work (row-level security: it creates a tenant and acts for it).
    database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir, poolSize: 2, defaultScope: platformScope });
  } catch (error) {
    const hint = dataDir ? ' (a running server holds the embedded database: stop it first, or seed through DATABASE_URL)' : '';
    throw new CliError(`cannot open the database: ${(error as Error).message}${hint}`, exitCodes.failure);
  }
  try {
    await migrateToLatest(database.db);
    const demo = await seedDemo(database.db);
    // `serve` on this embedded database shows the demo token from this file, as for a demo it seeded itself.
    if (dataDir) {
      const tokenFile = join(dirname(dataDir), 'demo-token');
      mkdirSync(dirname(tokenFile), { recursive: true });
      writeFileSync(tokenFile, demo.sellerToken, { mode: 0o600 });
      chmodSync(tokenFile, 0o600);
    }
    return { tenantId: demo.tenantId, token: demo.sellerToken, created: demo.created, database: database.location };
  } finally {
    await database.close();
  }
}
