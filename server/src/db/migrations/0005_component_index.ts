import { sql, type Kysely } from 'kysely';

// Republishing after a stock change looks up the bundles that use a SKU.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index bundle_components_by_component on bundle_components (tenant_id, component_sku)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index bundle_components_by_component`.execute(db);
}
