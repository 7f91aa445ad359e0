import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../db/database';
import { claimKey, storeResponse } from '../db/repositories/idempotency';
import { AppError } from '../errors';
import { isConnectionLost } from '../db/connection-lost';

const retryableCodes = new Set(['40001', '40P01']); // serialization failure, deadlock
const attemptsMax = 5;

export { isConnectionLost } from '../db/connection-lost';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one transaction, retrying serialization failures and
 * deadlocks a bounded number of times with jittered backoff. When the
 * database keeps refusing, the client is told to retry later; it never sees
 * an internal error for it.
 */
export async function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    let committing = false;
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await work(trx);
        committing = true;
        return result;
      });
    } catch (error) {
      // Every connection busy for longer than the pool waits: overload, told
      // to the client as such (retry later), never as an internal error.
      // Likewise when PostgreSQL has no connection slot left (53300, max_connections).
      if ((error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) || (error as { code?: unknown }).code === '53300') {
        throw new AppError('TOO_MANY_REQUESTS', 'the server is busy; retry with the same idempotencyKey');
      }
      if (isConnectionLost(error)) {
        // Lost during COMMIT: it may have committed or not, and only the
        // client's retry with the same key finds out (it gets the first
        // outcome). Lost before: PostgreSQL rolled it back; run it again on
        // another connection.
        if (committing || attempt >= attemptsMax) {
          throw new AppError('TOO_MANY_REQUESTS', 'the database connection was lost; retry with the same idempotencyKey');
        }
        continue;
      }
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !retryableCodes.has(code)) throw error;
      if (attempt >= attemptsMax) {
        throw new AppError('TOO_MANY_REQUESTS', 'the inventory is busy with conflicting changes; retry with the same idempotencyKey');
      }
      await sleep(5 * 2 ** attempt * (0.5 + Math.random()));
    }
  }
}

/** A stable hash of a request's payload (key order does not matter). */
export function requestHash(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The payload that identifies a request: everything but its idempotency key. */
export function withoutKey(payload: unknown): unknown {
  const { idempotencyKey, ...rest } = payload as Record<string, unknown>;
  void idempotencyKey;
  return rest;
}

function answerRepeat<T>(first: { procedure: string; requestHash: string; response: unknown }, procedure: string, hash: string): T {
  if (first.procedure !== procedure || first.requestHash !== hash) {
    throw new AppError('CONFLICT', 'idempotencyKey: already used for a different request', { field: 'idempotencyKey' });
  }
  return first.response as T;
}

/** The first result stored under a key that a request found already claimed. */
export async function replay<T>(trx: Transaction<Database>, tenantId: string, key: string, procedure: string, hash: string): Promise<T> {
  const claim = await claimKey(trx, tenantId, key, procedure, hash);
  if (claim.claimed) throw new Error('idempotency key vanished between claim and replay');
  return answerRepeat<T>(claim, procedure, hash);
}

/**
 * Makes a mutation take effect once per idempotency key: the first request
 * runs `work` and stores its result in the same transaction; a repeat with the
 * same payload gets that result and writes nothing; a different payload under
 * the same key is a CONFLICT.
 */
export async function idempotent<T>(
  trx: Transaction<Database>,
  scope: { tenantId: string; procedure: string; idempotencyKey: string; payload: unknown },
  work: () => Promise<T>,
): Promise<T> {
  const hash = requestHash(withoutKey(scope.payload));
  const claim = await claimKey(trx, scope.tenantId, scope.idempotencyKey, scope.procedure, hash);
  if (!claim.claimed) return answerRepeat<T>(claim, scope.procedure, hash);
  const result = await work();
  await storeResponse(trx, scope.tenantId, scope.idempotencyKey, result);
  return result;
}
