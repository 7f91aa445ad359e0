import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../src/testing';
import { applicationRole, noScope, tenantScope, withScope } from '../src/db/scope';
import { createSeller, databaseKinds, freshDatabase, type SellerFixture } from './support/harness';
import { order, sellerWithChannel } from './support/orders';

// Tenant isolation in depth (migration 0006, db/scope.ts): PostgreSQL itself
// refuses other tenants' rows, whatever a query forgets to filter.

async function tenantTables(db: TestDatabase): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
    order by 1`.execute(db.db);
  return rows.map((r) => r.table_name);
}

/** Rows per table, counted in the caller's scope, split by tenant. */
async function rowsByTenant(db: TestDatabase, tables: string[]): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const table of tables) {
    const { rows } = await sql<{ tenant: string; n: number }>`
      select tenant_id as tenant, count(*)::int as n from ${sql.table(table)} group by tenant_id`.execute(db.db);
    counts[table] = Object.fromEntries(rows.map((r) => [r.tenant, r.n]));
  }
  return counts;
}

async function populate(seller: SellerFixture): Promise<void> {
  const { channelId } = await sellerWithChannel(seller, { sourceIds: [seller.sources.MF], skus: ['MUG', 'LID'] });
  await seller.api.products.upsert({ sku: 'MUG-SET', title: 'Mug with lid', components: [{ sku: 'MUG', quantity: 1 }, { sku: 'LID', quantity: 1 }], idempotencyKey: 'bundle' });
  await seller.api.inventory.setQuantity({ sku: 'MUG', sourceId: seller.sources.MF, onHand: 3, idempotencyKey: 'count-mug' });
  await seller.api.orders.ingest(order(channelId, [{ sku: 'MUG', quantity: 5 }]));
  // A cancel before its order leaves a tombstone.
  await seller.api.orders.cancel({ channelId, externalOrderId: 'NEVER-PLACED' });
  await seller.api.settings.update({ notCountedAfterDays: 30, idempotencyKey: 'settings' });
}

describe.each(databaseKinds)('row-level security on %s', (kind) => {
  let db: TestDatabase;
  let alice: SellerFixture;
  let bob: SellerFixture;
  let tables: string[];

  beforeAll(async () => {
    db = await freshDatabase(kind);
    alice = await createSeller(db, 'Alice');
    bob = await createSeller(db, 'Bob');
    await populate(alice);
    await populate(bob);
    tables = await tenantTables(db);
  });
  afterAll(async () => db?.close());

  it('every table with tenant_id has row-level security and the tenant policy', async () => {
    expect(tables.length).toBeGreaterThanOrEqual(17);
    const { rows } = await sql<{ table_name: string; enabled: boolean; policies: number }>`
      select c.relname as table_name, c.relrowsecurity as enabled,
        (select count(*)::int from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and p.policyname = 'tenant_isolation') as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relname = any(${[...tables, 'tenants']})`.execute(db.db);
    const unprotected = rows.filter((r) => !r.enabled || r.policies !== 1).map((r) => r.table_name);
    expect(unprotected).toEqual([]);
    expect(rows.length).toBe(tables.length + 1);
  });

  it('the application role owns no table and cannot bypass the policies', async () => {
    const { rows: owned } = await sql<{ relname: string }>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and pg_get_userbyid(c.relowner) = ${applicationRole}`.execute(db.db);
    expect(owned).toEqual([]);
    const { rows: role } = await sql<{ rolsuper: boolean; rolbypassrls: boolean }>`
      select rolsuper, rolbypassrls from pg_roles where rolname = ${applicationRole}`.execute(db.db);
    expect(role).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const { rows: who } = await sql<{ user: string }>`select current_user as user`.execute(db.db);
    expect(who[0]?.user).toBe(applicationRole);
  });

  it('the fixture filled every tenant table for both tenants (so the checks below mean something)', async () => {
    const counts = await rowsByTenant(db, tables);
    const filledForBoth = tables.filter((t) => counts[t]?.[alice.tenantId] && counts[t]?.[bob.tenantId]);
    // Ledger, balances, orders, lines, allocations, tombstones, listings, pushes, events, settings, …
    expect(filledForBoth.length).toBeGreaterThanOrEqual(16);
  });

  it('without a tenant context every tenant table reads as empty and nothing can be written', async () => {
    const counts = await withScope(noScope, () => rowsByTenant(db, tables));
    expect(Object.entries(counts).filter(([, byTenant]) => Object.keys(byTenant).length > 0)).toEqual([]);
    const { rows } = await withScope(noScope, () => sql<{ n: number }>`select count(*)::int as n from tenants`.execute(db.db));
    expect(rows[0]?.n).toBe(0);
    await expect(withScope(noScope, () => sql`insert into tenant_settings (tenant_id) values (${alice.tenantId})`.execute(db.db))).rejects.toThrow(/row-level security/);
  });

  it("in a tenant's context, a query that forgets its tenant filter still sees only that tenant", async () => {
    const counts = await withScope(tenantScope(alice.tenantId), () => rowsByTenant(db, tables));
    const foreign = Object.entries(counts).filter(([, byTenant]) => Object.keys(byTenant).some((tenant) => tenant !== alice.tenantId));
    expect(foreign).toEqual([]);
    expect(counts.ledger_entries?.[alice.tenantId]).toBeGreaterThan(0);
    // Writing a row for another tenant is refused by the database too.
    const changed = await withScope(tenantScope(alice.tenantId), () =>
      sql`update balances set on_hand = on_hand + 100 where tenant_id = ${bob.tenantId}`.execute(db.db),
    );
    expect(Number(changed.numAffectedRows ?? 0)).toBe(0);
    await expect(
      withScope(tenantScope(alice.tenantId), () => sql`insert into tenant_settings (tenant_id) values (${bob.tenantId})`.execute(db.db)),
    ).rejects.toThrow(/row-level security/);
  });

  it('seller requests work under the policies (the API sets the tenant for each request)', async () => {
    const view = await alice.api.inventory.bySkus({ skus: ['MUG'] });
    expect(view.items[0]?.sources.find((s) => s.sourceId === alice.sources.MF)?.committed).toBe(5);
    expect((await alice.api.negatives.list()).map((n) => n.sku)).toEqual(['MUG']);
  });
});
