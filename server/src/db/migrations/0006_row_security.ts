import { sql, type Kysely } from 'kysely';

// Tenant isolation in depth: beyond the `where tenant_id = …` in every query,
// PostgreSQL itself refuses rows of other tenants.
//
// - The server works as the role `onhand_app`, which owns nothing (the tables
//   belong to whoever runs migrations), so row-level security applies to it.
// - Per connection the server sets `onhand.tenant_id` (a seller's request) or
//   `onhand.platform = on` (admin procedures, authentication, background
//   workers). With neither set, every tenant table reads as empty.
// - Every table with a `tenant_id` column gets the policy (found from the
//   catalog, so none is forgotten); `tenants` is keyed by `id`. A test fails if
//   a later table with `tenant_id` lacks one.
//
// Kept self-contained (no app imports): the role name and setting names are
// repeated in server/src/db/scope.ts on purpose.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Roles are cluster-wide: several databases (and concurrent test runs) may
  // create it at once, so a duplicate is not an error.
  await sql`
    do $$
    begin
      if not exists (select from pg_roles where rolname = 'onhand_app') then
        begin
          create role onhand_app nologin;
        exception when duplicate_object or unique_violation then null;
        end;
      end if;
    end $$`.execute(db);
  // Whoever connects must be able to become the application role.
  await sql`
    do $$
    begin
      if not pg_has_role(current_user, 'onhand_app', 'member') then
        execute format('grant onhand_app to %I', current_user);
      end if;
    end $$`.execute(db);
  await sql`grant usage on schema public to onhand_app`.execute(db);
  await sql`grant select, insert, update, delete on all tables in schema public to onhand_app`.execute(db);
  await sql`grant usage, select, update on all sequences in schema public to onhand_app`.execute(db);
  // Tables and sequences of later migrations are granted as they are created.
  await sql`alter default privileges in schema public grant select, insert, update, delete on tables to onhand_app`.execute(db);
  await sql`alter default privileges in schema public grant usage, select, update on sequences to onhand_app`.execute(db);
  // The migration bookkeeping is not the application's business.
  await sql`revoke all on kysely_migration, kysely_migration_lock from onhand_app`.execute(db);

  await sql`
    do $$
    declare
      table_name text;
    begin
      for table_name in
        select c.table_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
      loop
        execute format('alter table %I enable row level security', table_name);
        execute format(
          'create policy tenant_isolation on %I using (tenant_id = current_setting(''onhand.tenant_id'', true) or current_setting(''onhand.platform'', true) = ''on'')',
          table_name);
      end loop;
    end $$`.execute(db);
  await sql`alter table tenants enable row level security`.execute(db);
  await sql`
    create policy tenant_isolation on tenants
    using (id = current_setting('onhand.tenant_id', true) or current_setting('onhand.platform', true) = 'on')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    declare
      table_name text;
    begin
      for table_name in select tablename from pg_policies where schemaname = 'public' and policyname = 'tenant_isolation'
      loop
        execute format('drop policy tenant_isolation on %I', table_name);
        execute format('alter table %I disable row level security', table_name);
      end loop;
    end $$`.execute(db);
  await sql`alter default privileges in schema public revoke all on tables from onhand_app`.execute(db);
  await sql`alter default privileges in schema public revoke all on sequences from onhand_app`.execute(db);
  await sql`revoke all on all tables in schema public from onhand_app`.execute(db);
  await sql`revoke all on all sequences in schema public from onhand_app`.execute(db);
  await sql`revoke usage on schema public from onhand_app`.execute(db);
}
