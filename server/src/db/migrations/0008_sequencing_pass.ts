import { sql, type Kysely } from 'kysely';

// A sequencing pass of the change feed (0003) in one statement, one round
// trip: under load a pass runs every few milliseconds, and as begin, lock,
// update and commit it was a quarter of the database's round trips in the
// ledger benchmark. The lock and the update stay two statements inside the
// function: a volatile function takes a fresh snapshot per statement, so the
// update sees every pass that committed before this one got the lock (as
// separate statements in a transaction did). Called outside a transaction,
// the lock is held until the call's own commit, where the NOTIFY is sent.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function sequence_events(notify_channel text, batch_max integer)
    returns text
    language plpgsql volatile
    set search_path = pg_catalog, public
    as $fn$
    declare
      last_seq bigint;
    begin
      perform pg_advisory_xact_lock(7265812);
      -- Each unsequenced row is "re-inserted" onto itself: the conflict on its
      -- primary key updates it through that index, in id order. An update
      -- joined to the batch would leave the join to the planner, which, on an
      -- events table analyzed while it was small, scanned the whole table once
      -- per row.
      with updated as (
        insert into events as e (tenant_id, id, at, kind, payload)
        select u.tenant_id, u.id, u.at, u.kind, u.payload from events u where u.seq is null order by u.id limit batch_max
        on conflict (tenant_id, id) do update set seq = nextval('event_seq')
        returning e.seq
      )
      select max(updated.seq) into last_seq from updated;
      if last_seq is not null then
        perform pg_notify(notify_channel, last_seq::text);
      end if;
      return last_seq::text;
    end
    $fn$
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function sequence_events(text, integer)`.execute(db);
}
