import { sql, type Kysely } from 'kysely';

// Migrations describe the schema as it was when written; they never import
// application code. Every key starts with tenant_id so a tenant-sharded
// PostgreSQL can distribute the tables as they are.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active','suspended')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('seller','admin')`))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('api_tokens_seller_has_tenant', sql`role = 'admin' or tenant_id is not null`)
    .execute();

  await db.schema
    .createTable('sources')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('merchant','fba','deliverr','3pl')`))
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('auto_fulfill', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('ships_to', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(100))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sources_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('sources_name_unique', ['tenant_id', 'name'])
    .execute();
  // Exactly one default source per tenant: at most one by index, at least one
  // by the use-cases (the default can only be moved, never unset).
  await sql`create unique index sources_one_default on sources (tenant_id) where is_default`.execute(db);

  await db.schema
    .createTable('products')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('is_bundle', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('products_pk', ['tenant_id', 'sku'])
    .execute();

  await db.schema
    .createTable('bundle_components')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('bundle_sku', 'text', (c) => c.notNull())
    .addColumn('component_sku', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addPrimaryKeyConstraint('bundle_components_pk', ['tenant_id', 'bundle_sku', 'component_sku'])
    .addForeignKeyConstraint('bundle_components_bundle_fk', ['tenant_id', 'bundle_sku'], 'products', ['tenant_id', 'sku'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('bundle_components_component_fk', ['tenant_id', 'component_sku'], 'products', ['tenant_id', 'sku'])
    .execute();

  await db.schema
    .createTable('balances')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('on_hand', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('committed', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_counted_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('balances_pk', ['tenant_id', 'source_id', 'sku'])
    .addForeignKeyConstraint('balances_source_fk', ['tenant_id', 'source_id'], 'sources', ['tenant_id', 'id'])
    .addForeignKeyConstraint('balances_product_fk', ['tenant_id', 'sku'], 'products', ['tenant_id', 'sku'])
    .execute();
  await sql`create index balances_by_sku on balances (tenant_id, sku)`.execute(db);

  await db.schema
    .createTable('ledger_entries')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'bigserial', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull().check(sql`bucket in ('on_hand','committed')`))
    .addColumn('delta', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('order_line_id', 'text')
    .addColumn('note', 'text')
    .addColumn('idempotency_key', 'text')
    .addPrimaryKeyConstraint('ledger_entries_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('ledger_entries_balance_fk', ['tenant_id', 'source_id', 'sku'], 'balances', ['tenant_id', 'source_id', 'sku'])
    .execute();
  await sql`create index ledger_by_sku on ledger_entries (tenant_id, sku, id desc)`.execute(db);
  // The ledger is append-only: the database itself refuses edits.
  await sql`
    create function ledger_entries_immutable() returns trigger language plpgsql as $$
    begin raise exception 'ledger entries are immutable'; end $$`.execute(db);
  await sql`
    create trigger ledger_entries_no_update before update or delete on ledger_entries
    for each row execute function ledger_entries_immutable()`.execute(db);

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['idempotency_keys', 'ledger_entries', 'balances', 'bundle_components', 'products', 'sources', 'api_tokens', 'tenants']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function if exists ledger_entries_immutable`.execute(db);
}
