import { sql, type Kysely } from 'kysely';

// Channels, listings, orders with their routed lines, cancel tombstones and
// per-tenant settings. Every key starts with tenant_id.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
    .addColumn('inventory_managed_elsewhere', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('not_counted_after_days', 'integer', (c) => c.notNull().defaultTo(30))
    .execute();

  // When a balance's available quantity went below zero (null while ≥ 0).
  await db.schema.alterTable('balances').addColumn('negative_since', 'timestamptz').execute();
  await sql`create index balances_negative on balances (tenant_id) where on_hand < committed`.execute(db);

  await db.schema
    .createTable('channels')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('marketplace', 'text', (c) => c.notNull().check(sql`marketplace in ('amazon','ebay','walmart','shopify','etsy')`))
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('channels_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('channels_name_unique', ['tenant_id', 'name'])
    .execute();

  await db.schema
    .createTable('channel_sources')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_sources_pk', ['tenant_id', 'channel_id', 'source_id'])
    .addForeignKeyConstraint('channel_sources_channel_fk', ['tenant_id', 'channel_id'], 'channels', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('channel_sources_source_fk', ['tenant_id', 'source_id'], 'sources', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('listings')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text')
    .addColumn('channel_sku', 'text')
    .addColumn('external_id', 'text')
    .addColumn('title', 'text')
    .addColumn('fulfilled_by', 'text', (c) => c.notNull().check(sql`fulfilled_by in ('merchant','marketplace')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('tracked','untracked')`))
    .addColumn('displayed_quantity', 'integer')
    .addColumn('rule_percent', 'integer')
    .addColumn('rule_buffer', 'integer')
    .addColumn('rule_max', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('listings_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('listings_channel_fk', ['tenant_id', 'channel_id'], 'channels', ['tenant_id', 'id'])
    .addForeignKeyConstraint('listings_product_fk', ['tenant_id', 'sku'], 'products', ['tenant_id', 'sku'])
    .addCheckConstraint('listings_identified', sql`channel_sku is not null or external_id is not null`)
    .addCheckConstraint('listings_tracked_has_sku', sql`status = 'untracked' or sku is not null`)
    .execute();
  await sql`create unique index listings_by_channel_sku on listings (tenant_id, channel_id, channel_sku) where channel_sku is not null`.execute(db);
  await sql`create unique index listings_by_external_id on listings (tenant_id, channel_id, external_id) where external_id is not null`.execute(db);
  await sql`create index listings_by_sku on listings (tenant_id, sku)`.execute(db);

  await db.schema
    .createTable('orders')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('external_order_id', 'text', (c) => c.notNull())
    .addColumn('placed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ship_to_country', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open','shipped','cancelled')`))
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('orders_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('orders_external_unique', ['tenant_id', 'channel_id', 'external_order_id'])
    .addForeignKeyConstraint('orders_channel_fk', ['tenant_id', 'channel_id'], 'channels', ['tenant_id', 'id'])
    .execute();
  await sql`create index orders_by_status on orders (tenant_id, status, created_at desc, id desc)`.execute(db);

  await db.schema
    .createTable('order_lines')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('external_line_id', 'text', (c) => c.notNull())
    .addColumn('channel_sku', 'text')
    .addColumn('external_id', 'text')
    .addColumn('listing_id', 'text')
    .addColumn('sku', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('source_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('trace', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('expected_source_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('allocated','unmatched','cancelled','shipped')`))
    .addPrimaryKeyConstraint('order_lines_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('order_lines_external_unique', ['tenant_id', 'order_id', 'external_line_id'])
    .addForeignKeyConstraint('order_lines_order_fk', ['tenant_id', 'order_id'], 'orders', ['tenant_id', 'id'])
    .execute();

  // What each line holds committed where: one row per (line, source, sku); a
  // bundle line holds its components.
  await db.schema
    .createTable('order_line_allocations')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addPrimaryKeyConstraint('order_line_allocations_pk', ['tenant_id', 'line_id', 'source_id', 'sku'])
    .addForeignKeyConstraint('order_line_allocations_balance_fk', ['tenant_id', 'source_id', 'sku'], 'balances', ['tenant_id', 'source_id', 'sku'])
    .execute();
  await sql`create index allocations_by_balance on order_line_allocations (tenant_id, source_id, sku)`.execute(db);

  // A cancel that arrived before its order: the late order takes no stock.
  await db.schema
    .createTable('order_tombstones')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('external_order_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('order_tombstones_pk', ['tenant_id', 'channel_id', 'external_order_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['order_tombstones', 'order_line_allocations', 'order_lines', 'orders', 'listings', 'channel_sources', 'channels', 'tenant_settings']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('balances').dropColumn('negative_since').execute();
}
