import type { DbOrTrx } from '../database';

export type Claim = { claimed: true } | { claimed: false; procedure: string; requestHash: string; response: unknown };

/**
 * Claims an idempotency key inside the caller's transaction. A concurrent
 * request with the same key blocks on the unique index until the first one
 * commits (then sees its stored response) or rolls back (then claims it).
 */
export async function claimKey(db: DbOrTrx, tenantId: string, key: string, procedure: string, requestHash: string): Promise<Claim> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ tenant_id: tenantId, key, procedure, request_hash: requestHash, response: null })
    .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { claimed: true };
  const existing = await db
    .selectFrom('idempotency_keys')
    .select(['procedure', 'request_hash', 'response'])
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return { claimed: false, procedure: existing.procedure, requestHash: existing.request_hash, response: existing.response };
}

export async function storeResponse(db: DbOrTrx, tenantId: string, key: string, response: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response: JSON.stringify(response) })
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute();
}
