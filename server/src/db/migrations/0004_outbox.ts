import { sql, type Kysely } from 'kysely';

// The outbox of published quantities: one row per tracked listing, holding
// the latest quantity onhand wants the marketplace to show (`desired`,
// bumping `version` whenever it changes) and what the connector last
// achieved. A connector drains rows after commit; `version` makes each push
// idempotent (push id = listing + version) and keeps a slow push of an old
// value from being recorded as the current one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('listing_pushes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('listing_id', 'text', (c) => c.notNull())
    .addColumn('desired', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','pushed','acknowledged','failed')`))
    .addColumn('pushed', 'integer')
    .addColumn('acknowledged', 'integer')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('desired_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('pushed_at', 'timestamptz')
    .addColumn('acknowledged_at', 'timestamptz')
    .addPrimaryKeyConstraint('listing_pushes_pk', ['tenant_id', 'listing_id'])
    .addForeignKeyConstraint('listing_pushes_listing_fk', ['tenant_id', 'listing_id'], 'listings', ['tenant_id', 'id'])
    .execute();
  await sql`create index listing_pushes_due on listing_pushes (next_attempt_at) where state in ('pending','failed')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('listing_pushes').execute();
}
