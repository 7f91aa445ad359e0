import type { DbOrTrx } from '../database';

/**
 * The demo tenant, if the demo seed ran here: the oldest tenant named
 * `name` that holds the seed's first idempotency key (a seller who merely
 * calls their tenant "Demo seller" does not have it).
 */
export async function findSeededTenant(db: DbOrTrx, name: string, markerKey: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('tenants as t')
    .select('t.id')
    .where('t.name', '=', name)
    .where((eb) => eb.exists(eb.selectFrom('idempotency_keys as k').select('k.key').whereRef('k.tenant_id', '=', 't.id').where('k.key', '=', markerKey)))
    .orderBy('t.created_at')
    .orderBy('t.id')
    .executeTakeFirst();
  return row?.id;
}
