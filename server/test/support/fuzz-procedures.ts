import { sql } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../src/db/database';
import { ownerScope, withScope } from '../../src/db/scope';
import { appRouter } from '../../src/trpc/router';

/**
 * Every procedure of the API, read from the router itself: a procedure added
 * later is fuzzed without anyone remembering to list it.
 */
export interface FuzzProcedure {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The input schema; undefined for a procedure that takes no input. */
  schema: z.ZodType | undefined;
  /** Which token calls it: admin.* needs an admin token, health.* none, the rest a seller's. */
  caller: 'public' | 'seller' | 'admin';
}

interface ProcedureDef {
  _def: { type: FuzzProcedure['type']; inputs: unknown[] };
}

export const fuzzProcedures: FuzzProcedure[] = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).map(([path, procedure]) => {
  const inputs = procedure._def.inputs;
  if (inputs.length > 1) throw new Error(`${path}: more than one input parser; teach the fuzzer to merge them`);
  const schema = inputs[0] as z.ZodType | undefined;
  if (schema && typeof schema.safeParse !== 'function') throw new Error(`${path}: the input parser is not a zod schema`);
  return { path, type: procedure._def.type, schema, caller: path.startsWith('admin.') ? 'admin' : path.startsWith('health.') ? 'public' : 'seller' };
});

/** The field paths a refusal of `input` should name, as the API prints them (see trpc/init.ts). */
export function expectedFieldPaths(schema: z.ZodType, input: unknown): string[] | undefined {
  const parsed = schema.safeParse(input);
  if (parsed.success) return undefined;
  // As trpc/init.ts names them: each unknown key on its own, long keys by their start.
  const segment = (key: PropertyKey) => (String(key).length > 60 ? `${String(key).slice(0, 60)}…` : String(key));
  return parsed.error.issues.flatMap((issue) => {
    const path = issue.path.map(segment);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => [...path, segment(key)].join('.'));
    return [path.join('.') || '(input)'];
  });
}

/** What a call ended with: OK, or the API error's code and message. */
export interface Outcome {
  code: string;
  message: string;
  cause?: unknown;
}

type Callable = (input: unknown) => Promise<unknown>;

/** Calls `path` on an in-process caller (a subscription is started and stopped after its first step). */
export async function callInProcess(api: object, path: string, input: unknown): Promise<Outcome> {
  const procedure = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as Callable;
  try {
    const result = await procedure(input);
    if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      try {
        await iterator.next();
      } finally {
        await iterator.return?.();
      }
    }
    return { code: 'OK', message: '' };
  } catch (error) {
    const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
    return { code: typeof code === 'string' ? code : `not an API error (${String(error)})`, message: typeof message === 'string' ? message : '', cause };
  }
}

const tableNames = new WeakMap<Db, Promise<string[]>>();

/**
 * A fingerprint of every row of every table (row counts and a hash of the
 * rows), read as the tables' owner so row-level security hides nothing.
 * `events.seq` is left out: the change feed numbers committed events in the
 * background, which is not a write by the request under test.
 */
export async function databaseDigest(db: Db): Promise<string> {
  return withScope(ownerScope, async () => {
    let names = tableNames.get(db);
    if (!names) {
      names = sql<{ name: string }>`
        select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_migration%'
        order by table_name`
        .execute(db)
        .then((result) => result.rows.map((row) => row.name));
      tableNames.set(db, names);
    }
    const parts = (await names).map((name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
      return `select '${name}' as name, count(*)::int as rows, md5(coalesce(string_agg((to_jsonb(t) - 'seq')::text, ',' order by (to_jsonb(t) - 'seq')::text), '')) as hash from ${name} t`;
    });
    const result = await sql<{ name: string; rows: number; hash: string }>`${sql.raw(parts.join(' union all '))}`.execute(db);
    return result.rows
      .map((row) => `${row.name}:${row.rows}:${row.hash}`)
      .sort()
      .join(' ');
  });
}

/** Which tables a write changed, from two digests, for a failure report. */
export function changedTables(before: string, after: string): string[] {
  const rowsBefore = new Set(before.split(' '));
  return after
    .split(' ')
    .filter((part) => !rowsBefore.has(part))
    .map((part) => part.split(':').slice(0, 2).join(' rows now '));
}

/**
 * The digest of the database, recomputed only when a transaction has taken a
 * transaction id since the last look (every write needs one; a refusal
 * before any transaction takes none), so most cases cost one tiny query.
 */
export class DatabaseWatch {
  private nextXid = '';
  private digest = '';

  constructor(private readonly db: Db) {}

  async current(): Promise<string> {
    const { rows } = await withScope(ownerScope, () => sql<{ xid: string }>`select pg_snapshot_xmax(pg_current_snapshot())::text as xid`.execute(this.db));
    const xid = rows[0]!.xid;
    if (xid !== this.nextXid) {
      this.nextXid = xid;
      this.digest = await databaseDigest(this.db);
    }
    return this.digest;
  }
}
