import { sql } from 'kysely';
import type { Db, DbOrTrx, EventKind } from '../database';

export interface NewEvent {
  kind: EventKind;
  payload: Record<string, unknown>;
}

export interface ChangeEvent {
  /** The resume cursor (commit order), as a string. */
  id: string;
  tenantId: string;
  at: string;
  kind: EventKind;
  [field: string]: unknown;
}

export async function insertEvents(db: DbOrTrx, tenantId: string, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('events')
    .values(events.map((e) => ({ tenant_id: tenantId, kind: e.kind, payload: JSON.stringify(e.payload) })))
    .execute();
}

/**
 * Gives every committed, unsequenced event its `seq` (migration 0008: one
 * statement, to be called outside a transaction). Passes are serialised by
 * a transaction-level advisory lock so a later pass always hands out larger
 * numbers than every earlier committed pass. When it handed out any, the
 * largest is sent on `notifyChannel` (delivered at commit). Returns the
 * largest seq handed out, or null when there was nothing to do.
 */
export async function sequenceEvents(db: Db, notifyChannel: string, batchMax = 5000): Promise<string | null> {
  const result = await sql<{ seq: string | null }>`select sequence_events(${notifyChannel}, ${batchMax}::integer) as seq`.execute(db);
  return result.rows[0]?.seq ?? null;
}

type EventRow = { tenant_id: string; seq: string | number; at: Date | string; kind: EventKind; payload: Record<string, unknown> | string };

const toChangeEvent = (row: EventRow): ChangeEvent => ({
  ...(typeof row.payload === 'string' ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload),
  id: String(row.seq),
  tenantId: row.tenant_id,
  at: new Date(row.at).toISOString(),
  kind: row.kind,
});

/** Sequenced events after a cursor, in commit order (all tenants, or one). */
export async function eventsAfter(db: DbOrTrx, afterSeq: string, options: { tenantId?: string; limit: number }): Promise<ChangeEvent[]> {
  const tenantFilter = options.tenantId === undefined ? sql`true` : sql`tenant_id = ${options.tenantId}`;
  const result = await sql<EventRow>`
    select tenant_id, seq, at, kind, payload from events
    where seq > ${afterSeq}::bigint and ${tenantFilter}
    order by seq limit ${options.limit}
  `.execute(db);
  return result.rows.map(toChangeEvent);
}

export async function latestSeq(db: DbOrTrx): Promise<string> {
  const result = await sql<{ seq: string | number | null }>`select max(seq)::text as seq from events where seq is not null`.execute(db);
  return String(result.rows[0]?.seq ?? '0');
}
