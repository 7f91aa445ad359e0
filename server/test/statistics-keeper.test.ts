import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { pino } from 'pino';
import { StatisticsKeeper } from '../src/db/statistics-keeper';
import type { TestDatabase } from '../src/testing';
import { createSeller, databaseKinds, freshDatabase, type SellerFixture } from './support/harness';

describe.each(databaseKinds)('planner statistics on %s', (kind) => {
  let db: TestDatabase;
  let seller: SellerFixture;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    seller = await createSeller(db);
  });
  afterAll(async () => db?.close());

  it('a table that grew is analyzed where nothing else would do it, and only once', async () => {
    const autovacuum = (await sql<{ on: string }>`select current_setting('autovacuum') as on`.execute(db.db)).rows[0]!.on;
    const keeper = new StatisticsKeeper(db.db, pino({ level: 'silent' }), kind === 'pglite');
    await sql`insert into products (tenant_id, sku, title) select ${seller.tenantId}, 'GROWN-' || g, 'Grown ' || g from generate_series(1, 500) g`.execute(db.db);

    if (kind === 'postgres' && autovacuum === 'on') {
      // Autovacuum keeps the statistics: the keeper leaves them to it.
      expect(await keeper.pass()).toEqual([]);
      return;
    }
    // The database counts changes in its statistics once a second or so.
    let analyzed: string[] = [];
    for (let attempt = 0; attempt < 40 && !analyzed.includes('products'); attempt += 1) {
      await new Promise((r) => setTimeout(r, 250));
      await sql`select 1`.execute(db.db);
      analyzed = analyzed.concat(await keeper.pass());
    }
    expect(analyzed).toContain('products');
    const products = await sql<{ analyzed_rows: number | string }>`select reltuples as analyzed_rows from pg_class where relname = 'products'`.execute(db.db);
    expect(Number(products.rows[0]!.analyzed_rows)).toBeGreaterThanOrEqual(500);
    expect(await keeper.pass()).not.toContain('products');
  });
});
