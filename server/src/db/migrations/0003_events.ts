import { sql, type Kysely } from 'kysely';

// The change feed. Writers insert events in the same transaction as the
// change; `id` is given at insert time, so ids of concurrent transactions
// commit out of order. `seq` is given after commit by one sequencer at a
// time (an advisory lock), so it only grows in the order subscribers can see
// events: the resume cursor is `seq`, never `id`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence event_seq`.execute(db);
  await db.schema
    .createTable('events')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'bigserial', (c) => c.notNull())
    .addColumn('seq', 'bigint')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('balance','listing','order','push')`))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['tenant_id', 'id'])
    .execute();
  await sql`create unique index events_by_seq on events (seq) where seq is not null`.execute(db);
  await sql`create index events_unsequenced on events (id) where seq is null`.execute(db);
  await sql`create index events_by_tenant_seq on events (tenant_id, seq) where seq is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('events').execute();
  await sql`drop sequence event_seq`.execute(db);
}
